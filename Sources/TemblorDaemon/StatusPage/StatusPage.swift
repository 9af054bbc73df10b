import Hummingbird

/// The status page at `GET /`: one HTML document with its style and script inline (no external
/// assets), which polls the API and offers pause, resume, reload and stop for each flow.
enum StatusPage {
    static var response: Response {
        html(.ok, document)
    }

    /// What `GET /` answers without the token: a form that keeps the token in a cookie the
    /// API accepts, then loads the page.
    static var login: Response {
        html(.unauthorized, loginDocument)
    }

    private static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: policy],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Only the page's own inline style and script run; it talks to this daemon alone.
    static let policy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'"

    static let loginDocument = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Temblor: token needed</title>
        <style>body{font:15px system-ui,sans-serif;margin:3em}input{font:inherit;width:24em}</style></head>
        <body><h1>Temblor</h1><p>This daemon needs its API token (the content of <code>--api-token-file</code>).</p>
        <form id="f"><input id="t" type="password" autocomplete="current-password" placeholder="token" autofocus>
        <button>Open</button></form>
        <script>
        document.getElementById('f').addEventListener('submit', function (e) {
          e.preventDefault();
          document.cookie = 'temblor_token=' + encodeURIComponent(document.getElementById('t').value) + '; path=/; SameSite=Strict';
          location.reload();
        });
        </script></body></html>
        """

    static let document = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Temblor</title>
        <style>
        body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #1d2330; background: #f7f8fa; }
        h1 { font-size: 1.4em; margin: 0 0 .2em; }
        #summary { color: #5a6475; margin-bottom: 1em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .status { font-weight: 600; }
        .running { color: #14803c; } .paused { color: #a15c00; } .draining { color: #6b5bd2; }
        .stopped { color: #5a6475; } .failed { color: #c0262d; }
        .error { color: #c0262d; white-space: pre-wrap; }
        button { font: inherit; margin-right: .3em; }
        details { margin: .3em 0; }
        .sub th, .sub td { border: none; padding: .15em .5em; font-size: 13px; }
        #message { min-height: 1.4em; margin: .6em 0; white-space: pre-wrap; }
        code { font-size: 12px; }
        </style>
        </head>
        <body>
        <h1>Temblor</h1>
        <div id="summary">loading…</div>
        <div id="message" role="status"></div>
        <table>
        <thead><tr><th>flow</th><th>status</th><th>started</th><th>events in</th><th>out</th><th>failed</th>
        <th>in/s</th><th>out/s</th><th>actions</th></tr></thead>
        <tbody id="flows"></tbody>
        </table>
        <script>
        'use strict';
        const poll = 1000;
        const last = {};

        function el(tag, attrs, children) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
          }
          for (const c of children || []) e.appendChild(c);
          return e;
        }
        function cell(text, cls) { return el('td', { text: String(text), class: cls || '' }); }
        function say(text) { document.getElementById('message').textContent = text; }

        async function api(method, path, body) {
          const init = { method: method, headers: {} };
          if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
          const response = await fetch(path, init);
          const text = await response.text();
          let json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (!response.ok) {
            const reason = json && json.error ? json.error + (json.details && json.details.length ? ': ' + json.details.join('; ') : '') : text;
            throw new Error(response.status + ' ' + reason);
          }
          return json;
        }

        async function act(id, what) {
          try {
            if (what === 'pause' || what === 'resume') {
              await api('PATCH', '/v1/flows/' + id, { status: what === 'pause' ? 'paused' : 'running' });
              say(id + ': ' + (what === 'pause' ? 'paused' : 'resumed'));
            } else if (what === 'reload') {
              const report = await api('POST', '/v1/flows/' + id + '/reload');
              say(id + ': ' + report.report.join('\\n'));
            } else if (what === 'stop') {
              if (!confirm('Stop and remove flow ' + id + '?')) return;
              const stopped = await api('DELETE', '/v1/flows/' + id);
              say(id + ': stopped, ' + stopped.events_in + ' in, ' + stopped.events_out + ' out, ' + stopped.failed + ' failed');
            }
          } catch (e) { say(id + ': ' + e.message); }
          refresh();
        }

        function detailTable(detail) {
          const box = el('div');
          const ports = el('table', { class: 'sub' }, [el('tr', {}, [el('th', { text: 'node' }), el('th', { text: 'port' }),
            el('th', { text: 'direction' }), el('th', { text: 'events' })])]);
          for (const p of detail.ports) ports.appendChild(el('tr', {}, [cell(p.node), cell(p.port), cell(p.direction), cell(p.events, 'n')]));
          box.appendChild(el('strong', { text: 'ports' })); box.appendChild(ports);
          const queues = Object.entries(detail.queues);
          if (queues.length) box.appendChild(el('div', { text: 'queued batches: ' + queues.map(([n, d]) => n + ' ' + d).join(', ') }));
          if (detail.plugins.length) {
            const plugins = el('table', { class: 'sub' }, [el('tr', {}, ['node', 'plugin', 'version', 'loaded', 'reloads', 'restarts',
              'faults', 'memory'].map(h => el('th', { text: h })))]);
            for (const p of detail.plugins) {
              plugins.appendChild(el('tr', { class: 'plugin' }, [cell(p.node), cell(p.plugin), el('td', {}, [el('code', { text: p.hash })]),
                cell(new Date(p.loaded_at * 1000).toLocaleTimeString()), cell(p.reloads, 'n'), cell(p.restarts, 'n'),
                cell(p.faults, 'n'), cell((p.memory_bytes / 1024).toFixed(1) + ' KiB' + (p.stopped ? ' (stopped)' : ''), 'n')]));
            }
            box.appendChild(el('strong', { text: 'Lua plugins' })); box.appendChild(plugins);
          }
          return box;
        }

        // One refresh at a time: a slow API must not have two renders race each other.
        let busy = false;
        async function refresh() {
          if (busy) return;
          busy = true;
          try { await render(); } finally { busy = false; }
        }

        // Each flow's rows, made once and updated in place: a click, an open details element or a
        // selection survives every poll.
        const shown = new Map();

        function rowsOf(id) {
          const cells = { id: cell(id), status: cell(''), started: cell(''), in: cell('', 'n'), out: cell('', 'n'),
            failed: cell('', 'n'), inRate: cell('', 'n'), outRate: cell('', 'n') };
          const actions = el('td', {}, ['pause', 'resume', 'reload', 'stop'].map(what =>
            el('button', { text: what, 'data-action': what, onclick: () => act(id, what) })));
          const summary = el('summary');
          const content = el('div');
          const error = el('div', { class: 'error' });
          return { row: el('tr', { 'data-flow': id }, [...Object.values(cells), actions]), cells, summary, content, error,
            detail: el('tr', { class: 'detail' }, [el('td', { colspan: '9' }, [el('details', {}, [summary, content]), error])]) };
        }

        async function render() {
          let flows;
          try { flows = await api('GET', '/v1/flows'); } catch (e) { document.getElementById('summary').textContent = 'API: ' + e.message; return; }
          const now = Date.now();
          const body = document.getElementById('flows');
          const listed = new Set(flows.map(f => f.id));
          for (const [id, entry] of shown) {
            if (!listed.has(id)) { entry.row.remove(); entry.detail.remove(); shown.delete(id); delete last[id]; }
          }
          for (const f of flows) {
            const before = last[f.id];
            const seconds = before ? (now - before.at) / 1000 : 0;
            const rate = (count, previous) => before && seconds > 0 ? ((count - previous) / seconds).toFixed(1) : '–';
            const entry = shown.get(f.id) || rowsOf(f.id);
            const c = entry.cells;
            c.status.textContent = f.status; c.status.className = 'status ' + f.status;
            c.started.textContent = new Date(f.started_at * 1000).toLocaleString();
            c.in.textContent = f.events_in; c.out.textContent = f.events_out; c.failed.textContent = f.failed;
            c.inRate.textContent = rate(f.events_in, before && before.in); c.outRate.textContent = rate(f.events_out, before && before.out);
            last[f.id] = { at: now, in: f.events_in, out: f.events_out };
            entry.summary.textContent = 'nodes: ' + f.nodes.join(', ');
            entry.error.textContent = f.error || '';
            let detail;
            try { detail = detailTable(await api('GET', '/v1/flows/' + f.id)); } catch (e) { detail = el('div', { text: e.message }); }
            entry.content.replaceChildren(detail);
            if (!shown.has(f.id)) { shown.set(f.id, entry); body.append(entry.row, entry.detail); }
          }
          const counts = {};
          for (const f of flows) counts[f.status] = (counts[f.status] || 0) + 1;
          document.getElementById('summary').textContent = flows.length + ' flow' + (flows.length === 1 ? '' : 's') +
            (flows.length ? ': ' + Object.entries(counts).map(([s, n]) => n + ' ' + s).join(', ') : '') + ' · updated ' + new Date(now).toLocaleTimeString();
        }

        refresh();
        setInterval(refresh, poll);
        </script>
        </body>
        </html>
        """
}
