// The room comes from the page's address (?room=R), as a server-rendered page would write it.
document.querySelector('rtc-room').setAttribute('room', new URLSearchParams(location.search).get('room'));
