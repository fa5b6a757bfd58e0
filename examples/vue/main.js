// rtc-room in Vue 3 with render functions (no SFC compiler). Vue sets a prop as a property when
// the element has it, and `onRtcPeerJoined` listens to `rtc-peer-joined`. With templates, tell
// the compiler about the tags: `compilerOptions.isCustomElement = (tag) => tag.startsWith('rtc-')`
// (docs/quick-start.md has the vite.config, and `rtc-room/vue` types the tags for vue-tsc).
import { createApp, h, ref } from 'vue';
import 'rtc-room'; // registers the tags

const params = new URLSearchParams(location.search);

createApp({
  setup() {
    const state = ref('idle');
    const people = ref([]);
    return () => [
      h(
        'rtc-room',
        {
          room: params.get('room') ?? 'vue-example',
          name: params.get('name') ?? '',
          onRtcJoined: (e) => {
            state.value = 'joined';
            people.value = e.detail.peers;
          },
          onRtcPeerJoined: (e) => people.value.push(e.detail.peer),
          onRtcPeerLeft: (e) => (people.value = people.value.filter((p) => p.id !== e.detail.peer.id)),
          onRtcError: (e) => (state.value = `error: ${e.detail.code}`),
        },
        [h('rtc-remote-videos'), h('rtc-local-video', { mirror: true })],
      ),
      h('p', { id: 'state' }, state.value),
      h(
        'ul',
        { id: 'people' },
        people.value.map((p) => h('li', { key: p.id }, p.name || p.id)),
      ),
    ];
  },
}).mount('#app');
