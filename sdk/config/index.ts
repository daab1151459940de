// spec -> valkey.conf and sentinel.conf: the directives, their text, and which of them a running
// node takes live.
export * from "./directives";
export * from "./render";
export * from "./runtime";
export * from "./sentinel";
