// Placeholder entry for the Fleet POS UI (not built yet). Kept as a module so the build has an
// entry and the stylesheet is emitted as a file (strict CSP: no inline styles or scripts).
import './styles.css';

document.documentElement.dataset['app'] = 'fleet-pos';
