// What Vite defines on import.meta for the POS UI (kept local: vite/client's types would apply to
// the whole project).
interface ImportMetaEnv {
  readonly PROD: boolean;
  readonly DEV: boolean;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
