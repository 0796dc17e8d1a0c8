// The `fleet/import-layers` ESLint rule: each folder of the project may import only the folders
// and packages its entry in the layer table (eslint.config.js) allows — an allow-list, as VS Code's
// code-layering and import-patterns rules keep its layers apart.
//
// A table key names a layer: 'renderer/' is that folder and everything under it, 'electron/*' the
// files directly in electron/ (not its subfolders), '*' the files at the repository's root. A file
// belongs to the layer of the longest key that holds it; a file in no layer fails, so a new folder
// gets its own entry. Each entry lists:
//   folders   the other layers it may import (its own is always allowed)
//   packages  npm packages by name ('@scope/name' or 'name'; subpaths count as the package) and
//             Node built-ins as 'node:fs' ('fs' and 'node:fs/promises' count as 'node:fs'), or
//             'node:*' for all of them
//   types     packages it may import types from only (`import type`)
//   private   modules of this layer no other layer may import unless it names them in its folders
//             (as 'electron/postgres/pg-over-ssh'), each with the reason given to whoever tries
// Type-only imports count for folders like any other: a type from another layer is still that
// layer's design showing through, and a cycle of types is a cycle all the same.
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const RULE = 'fleet/import-layers';
const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/** 'react-dom/client' -> 'react-dom', '@scope/name/x' -> '@scope/name', 'fs/promises' -> 'node:fs'. */
export function packageOf(specifier) {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  const top = bare.split('/')[0];
  if (specifier.startsWith('node:') || builtins.has(top)) return `node:${top}`;
  return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : top;
}

/** The layer key holding a path relative to the repository (forward slashes), or null. */
export function layerOf(keys, relPath) {
  const dir = path.posix.dirname(relPath);
  let best = null;
  for (const key of keys) {
    const holds =
      key === '*' ? dir === '.' : key.endsWith('/*') ? dir === key.slice(0, -2) : `${dir}/`.startsWith(key);
    if (holds && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

function describeAllowed(entry) {
  const packages = entry.packages ?? [];
  const builtinNames = packages.filter((name) => name.startsWith('node:')).map((name) => name.slice(5));
  const parts = [
    ...(entry.folders ?? []),
    ...packages.filter((name) => !name.startsWith('node:')),
    ...(builtinNames.length > 0 ? [`node:{${builtinNames.join(',')}}`] : []),
    ...(entry.types ?? []).map((name) => `types of ${name}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'nothing outside itself';
}

/** Whether every name an import or export brings in is a type. */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type' || node.type === 'TSImportType') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/**
 * The rule, bound to one table. `root` is the repository's folder; `layers` maps a layer key to
 * its { folders, packages, types, private } entry (see the top of this file).
 */
export function importLayersRule({ root, layers }) {
  const keys = Object.keys(layers);
  return {
    meta: {
      type: 'problem',
      docs: { description: 'Each folder imports only the folders and packages its layer allows (table in eslint.config.js)' },
      schema: [],
      messages: {
        noLayer: `${RULE}: {{folder}} is in no layer; give it an entry in the layer table of eslint.config.js.`,
        folder: `${RULE}: {{layer}} may not import {{target}} ('{{specifier}}'); it may import only: {{allowed}}.`,
        package: `${RULE}: {{layer}} may not import the package {{target}} ('{{specifier}}'); it may import only: {{allowed}}.`,
        typesOnly: `${RULE}: {{layer}} may import only the types of {{target}} ('{{specifier}}': use import type); it may import only: {{allowed}}.`,
        private: `${RULE}: {{target}} is private to {{owner}}: {{reason}}`,
      },
    },
    create(context) {
      const relative = path.relative(root, context.filename).split(path.sep).join('/');
      if (relative.startsWith('..')) return {};
      const layer = layerOf(keys, relative);
      if (layer === null) {
        return { Program: (node) => context.report({ node, messageId: 'noLayer', data: { folder: `${path.posix.dirname(relative)}/` } }) };
      }
      const entry = layers[layer];
      const allowed = describeAllowed(entry);

      const checkFolder = (node, specifier) => {
        let target = path.resolve(path.dirname(context.filename), specifier);
        // './x/' and '..' name a folder: its layer is the folder's own, not its parent's.
        if (specifier.endsWith('/') || /(^|\/)\.\.?$/.test(specifier) || (fs.existsSync(target) && fs.statSync(target).isDirectory())) target = path.join(target, 'index');
        const targetRel = path.relative(root, target).split(path.sep).join('/');
        const targetLayer = targetRel.startsWith('..') ? null : layerOf(keys, targetRel);
        if (targetLayer === null) {
          context.report({ node, messageId: 'folder', data: { layer, target: `${path.posix.dirname(targetRel)}/ (in no layer)`, specifier, allowed } });
          return;
        }
        if (targetLayer !== layer && !(entry.folders ?? []).includes(targetLayer)) {
          context.report({ node, messageId: 'folder', data: { layer, target: targetLayer, specifier, allowed } });
          return;
        }
        const privateModules = layers[targetLayer].private ?? {};
        const moduleName = path.posix.basename(targetRel).replace(/\.[cm]?[jt]sx?$/, '');
        const moduleKey = `${path.posix.dirname(targetRel)}/${moduleName}`;
        if (targetLayer !== layer && moduleName in privateModules && !(entry.folders ?? []).includes(moduleKey)) {
          context.report({ node, messageId: 'private', data: { target: moduleKey, owner: targetLayer, reason: privateModules[moduleName] } });
        }
      };

      const checkPackage = (node, specifier, onlyTypes) => {
        const name = packageOf(specifier);
        const packages = entry.packages ?? [];
        if (packages.includes(name) || (name.startsWith('node:') && packages.includes('node:*'))) return;
        if ((entry.types ?? []).includes(name)) {
          if (!onlyTypes) context.report({ node, messageId: 'typesOnly', data: { layer, target: name, specifier, allowed } });
          return;
        }
        context.report({ node, messageId: 'package', data: { layer, target: name, specifier, allowed } });
      };

      const check = (source, onlyTypes) => {
        if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
        const specifier = source.value;
        if (specifier.startsWith('.') || specifier.startsWith('/')) checkFolder(source, specifier);
        else checkPackage(source, specifier, onlyTypes);
      };

      return {
        ImportDeclaration: (node) => check(node.source, typeOnly(node)),
        ExportNamedDeclaration: (node) => check(node.source, typeOnly(node)),
        ExportAllDeclaration: (node) => check(node.source, typeOnly(node)),
        ImportExpression: (node) => check(node.source, false),
        TSImportType: (node) => check(node.source ?? node.argument?.literal, true),
        TSImportEqualsDeclaration: (node) => check(node.moduleReference?.expression, node.importKind === 'type'),
        CallExpression: (node) => {
          if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0], false);
        },
      };
    },
  };
}

/** An ESLint plugin holding the rule for one table: `plugins: { fleet: importLayersPlugin(…) }`. */
export function importLayersPlugin(table) {
  return { meta: { name: 'fleet-import-layers' }, rules: { 'import-layers': importLayersRule(table) } };
}
