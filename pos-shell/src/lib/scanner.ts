import { useEffect, useLayoutEffect, useRef } from 'react';
import { WedgeDetector } from './barcode.js';

function editable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/**
 * A keyboard-wedge scanner anywhere on the screen: a fast burst of keys ending in Enter, while no
 * text field has the focus (a field keeps its own keys; the search box reads barcodes itself).
 * The Enter of a scan is swallowed so it never presses the focused button.
 */
export function useBarcodeScanner(enabled: boolean, onScan: (code: string) => void): void {
  const handler = useRef(onScan);
  useLayoutEffect(() => {
    handler.current = onScan;
  });
  useEffect(() => {
    if (!enabled) return;
    const detector = new WedgeDetector();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (editable(event.target)) {
        detector.reset();
        return;
      }
      if (event.key === 'Enter') {
        const code = detector.enter(event.timeStamp);
        if (code) {
          event.preventDefault();
          event.stopPropagation();
          handler.current(code);
        }
      } else if (event.key.length === 1) {
        detector.key(event.key, event.timeStamp);
      }
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [enabled]);
}
