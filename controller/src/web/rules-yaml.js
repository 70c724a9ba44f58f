// The rules as one flows.yaml, from the page: export downloads what `callrec flows export` prints;
// import replaces every flow and campaign like `callrec flows import`, all or nothing, and lists
// each problem with its line.
import { api, html, Notice, useState } from './lib.js';

function saveAs(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function RulesYaml({ onChanged }) {
  const [text, setText] = useState('');
  const [failure, setFailure] = useState(null);
  const [ok, setOk] = useState(null);
  const run = async (fn) => {
    setFailure(null);
    setOk(null);
    try {
      await fn();
    } catch (e) {
      setFailure(e);
    }
  };
  const exportYaml = () => run(async () => saveAs('flows.yaml', await api('GET', '/api/rules/export')));
  const load = () => run(async () => setText(await api('GET', '/api/rules/export')));
  const pick = (e) => {
    const file = e.target.files?.[0];
    if (file) void file.text().then(setText);
  };
  const importYaml = () => {
    if (!window.confirm('Import this YAML? It replaces every flow and campaign.')) return;
    void run(async () => {
      const n = await api('POST', '/api/rules/import', { yaml: text });
      setOk(
        `Imported ${n.flows} flows (${n.applets} applet rules) and ${n.campaigns} campaigns; rules version ${n.version}.`,
      );
      onChanged();
    });
  };
  const problems = failure?.fields.filter((f) => f.field === 'body.yaml') ?? [];
  return html`<section class="rules-yaml" aria-labelledby="yaml-h">
    <h2 id="yaml-h">Import and export (flows.yaml)</h2>
    <div class="inline">
      <button type="button" class="secondary" onClick=${exportYaml}>Export flows.yaml</button>
      <button type="button" class="secondary" onClick=${load}>Edit the current rules as YAML</button>
      <label for="yaml-file">Open a file</label>
      <input id="yaml-file" type="file" accept=".yaml,.yml,text/yaml" onChange=${pick} />
    </div>
    <div class="field">
      <label for="yaml-text">YAML to import</label>
      <textarea
        id="yaml-text"
        rows="8"
        spellcheck="false"
        value=${text}
        onInput=${(e) => setText(e.target.value)}
        aria-describedby=${problems.length ? 'yaml-problems' : 'yaml-hint'}
      ></textarea>
      <small id="yaml-hint" class="muted"
        >Importing replaces every flow and campaign, and the account settings the file names.</small
      >
    </div>
    ${
      problems.length > 0 &&
      html`<ul id="yaml-problems" class="field-error" role="alert">
        ${problems.map((p) => html`<li>${p.problem}</li>`)}
      </ul>`
    }
    <${Notice} failure=${failure} ok=${ok} />
    <button type="button" onClick=${importYaml} disabled=${!text.trim()}>Import</button>
  </section>`;
}
