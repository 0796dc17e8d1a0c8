// The few globals shared/ uses, declared as narrowly as it uses them. tsconfig.shared.json gives
// shared/ neither Node's nor the DOM's types, since it runs in both (the services, the UIs, the
// preload); these exist in every one of those runtimes. Seen only by that config: the UIs and the
// services check shared/ against their runtime's own, complete declarations.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare function setTimeout(callback: () => void, ms?: number): unknown;
