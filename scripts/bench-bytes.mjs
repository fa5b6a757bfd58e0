// Where the call's bytes go (filled in below).
export function printBytes() {}
