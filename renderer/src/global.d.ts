import type { FleetBridge } from '../../shared/bridge.js';

declare global {
  interface Window {
    /** The Electron preload bridge; absent in web mode. */
    fleet?: FleetBridge;
  }
}

export {};
