/// The dashboard's one page: the cluster graph, a card per node (processes, top processes by
/// messages waiting, its membership view, its pg groups, its global names, its replicated data, supervision trees) and the recent events, redrawn from
/// each model the server sends over server-sent events (`/events`); no reload. Every drawn node
/// carries `data-node` and `data-status`, and each row of a membership view `data-member` and
/// `data-member-status`, which scripts and the browser test read.
enum DashboardPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Colony dashboard</title>
        <style>
          :root { --up: #2e9d5b; --down: #c8382e; --unresponsive: #d9902a; --ink: #1d2330; --muted: #6a7385; }
          * { box-sizing: border-box; }
          body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--ink); background: #f4f6f9; }
          header { display: flex; align-items: baseline; gap: 1em; padding: .8em 1.2em; background: #1d2330; color: #fff; }
          header h1 { margin: 0; font-size: 1.2em; }
          header .meta { color: #b8c0d0; font-size: .9em; }
          #live { margin-left: auto; font-size: .85em; }
          #live.on::before { content: "● "; color: var(--up); }
          #live.off::before { content: "● "; color: var(--down); }
          main { display: grid; grid-template-columns: minmax(320px, 420px) 1fr; gap: 1em; padding: 1em; }
          .panel { background: #fff; border-radius: 8px; padding: .8em 1em; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
          h2 { margin: 0 0 .5em; font-size: 1em; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
          svg { width: 100%; height: auto; }
          .node circle { stroke: #fff; stroke-width: 3; }
          .node[data-status="up"] circle { fill: var(--up); }
          .node[data-status="down"] circle { fill: var(--down); }
          .node[data-status="unresponsive"] circle { fill: var(--unresponsive); }
          .node.observer circle { stroke: #1d2330; }
          .node text { font-size: 11px; text-anchor: middle; }
          line.link { stroke: #9aa4b6; stroke-width: 2; }
          #cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1em; }
          .card { border-left: 5px solid var(--up); }
          .card[data-status="down"] { border-left-color: var(--down); opacity: .75; }
          .card[data-status="unresponsive"] { border-left-color: var(--unresponsive); }
          .card h3 { margin: 0; font-size: 1em; word-break: break-all; }
          .badge { display: inline-block; padding: 0 .45em; border-radius: 4px; font-size: .8em; color: #fff; background: var(--up); }
          .badge.down { background: var(--down); } .badge.unresponsive { background: var(--unresponsive); }
          .badge.runtime { background: #5364a8; }
          .badge.transport { background: #6b6b6b; }
          .badge.transport.tls { background: #2f7d4f; }
          .badge.suspect, .badge.leaving { background: var(--unresponsive); } .badge.unreachable { background: var(--down); }
          table { width: 100%; border-collapse: collapse; font-size: .85em; margin-top: .4em; }
          th, td { text-align: left; padding: .15em .3em; border-bottom: 1px solid #eef0f4; }
          td.n { text-align: right; font-variant-numeric: tabular-nums; }
          ul.tree { list-style: none; padding-left: 1em; margin: .2em 0; font-size: .85em; }
          ul.tree li::before { content: "└ "; color: var(--muted); }
          .sup { font-weight: 600; }
          .muted { color: var(--muted); }
          #events { list-style: none; margin: 0; padding: 0; font-size: .85em; max-height: 22em; overflow: auto; }
          #events li { padding: .2em 0; border-bottom: 1px solid #eef0f4; }
          #events .kind { font-weight: 600; }
          #events [data-kind="nodedown"] .kind, #events [data-kind="restart_failed"] .kind { color: var(--down); }
          #events [data-kind="nodeup"] .kind { color: var(--up); }
          #events [data-kind="restart"] .kind { color: var(--unresponsive); }
          #events [data-kind="partition_started"] .kind, #events [data-kind="split_brain"] .kind { color: var(--down); }
          #events [data-kind="partition_healed"] .kind { color: var(--up); }
        </style>
        </head>
        <body>
        <header><h1>Colony</h1><span class="meta" id="observer"></span><span id="live" class="off">connecting</span></header>
        <main>
          <div>
            <section class="panel"><h2>Cluster</h2><svg id="graph" viewBox="0 0 400 400" role="img" aria-label="cluster graph"></svg></section>
            <section class="panel" style="margin-top:1em"><h2>Recent events</h2><ul id="events"></ul></section>
          </div>
          <section><div id="cards"></div></section>
        </main>
        <script>
        const svgNS = "http://www.w3.org/2000/svg";
        function el(tag, attrs, text) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
          if (text !== undefined) e.textContent = text;
          return e;
        }
        function svg(tag, attrs, text) {
          const e = document.createElementNS(svgNS, tag);
          for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
          if (text !== undefined) e.textContent = text;
          return e;
        }
        function time(ms) { return new Date(ms).toLocaleTimeString(); }
        function drawGraph(model) {
          const g = document.getElementById("graph");
          g.replaceChildren();
          const n = model.nodes.length, at = {};
          model.nodes.forEach((node, i) => {
            const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
            at[node.name] = n === 1 ? [200, 200] : [200 + 140 * Math.cos(angle), 200 + 140 * Math.sin(angle)];
          });
          for (const link of model.links) {
            if (!at[link.from] || !at[link.to]) continue;
            const [x1, y1] = at[link.from], [x2, y2] = at[link.to];
            g.appendChild(svg("line", {class: "link", x1, y1, x2, y2, "data-link": link.from + " " + link.to}));
          }
          for (const node of model.nodes) {
            const [x, y] = at[node.name];
            const group = svg("g", {class: "node" + (node.name === model.observer ? " observer" : ""),
                                    "data-node": node.name, "data-status": node.status});
            group.appendChild(svg("circle", {cx: x, cy: y, r: 22}));
            group.appendChild(svg("text", {x, y: y + 38}, node.name));
            group.appendChild(svg("title", {}, node.name + ": " + node.status + (node.reason ? " (" + node.reason + ")" : "")));
            g.appendChild(group);
          }
        }
        function tree(nodes) {
          const ul = el("ul", {class: "tree"});
          for (const child of nodes) {
            const li = el("li");
            li.appendChild(el("span", {class: child.type === "supervisor" ? "sup" : ""}, child.id));
            li.appendChild(el("span", {class: "muted"}, " " + (child.pid || "") + " " + (child.status === "running" ? "" : child.status)));
            if (child.children && child.children.length) li.appendChild(tree(child.children));
            ul.appendChild(li);
          }
          return ul;
        }
        function card(node, observer) {
          const c = el("article", {class: "panel card", "data-node": node.name, "data-status": node.status});
          const h = el("h3", {}, node.name + " ");
          h.appendChild(el("span", {class: "badge " + node.status}, node.status));
          h.appendChild(document.createTextNode(" "));
          h.appendChild(el("span", {class: "badge runtime"}, node.runtime + (node.name === observer ? " · dashboard" : "")));
          if (node.transport) {
            h.appendChild(document.createTextNode(" "));
            h.appendChild(el("span", {class: "badge transport " + node.transport, "data-transport": node.transport},
              "distribution: " + node.transport));
          }
          c.appendChild(h);
          if (node.peerTransports && Object.keys(node.peerTransports).length) {
            const d = el("div", {class: "muted transports"});
            const peers = Object.keys(node.peerTransports).sort();
            peers.forEach((peer, i) => {
              if (i) d.appendChild(document.createTextNode(" · "));
              const words = node.peerTransports[peer].split(" ");
              d.appendChild(el("span", {"data-peer": peer, "data-peer-transport": node.peerTransports[peer],
                title: node.peerTransports[peer]}, peer.split("@")[0] + ": " + words.slice(0, 2).join(" ")));
            });
            c.appendChild(d);
          }
          const facts = [];
          if (node.processCount !== null && node.processCount !== undefined) facts.push(node.processCount + " processes");
          if (node.reason) facts.push(node.reason);
          if (node.lastSeen) facts.push("seen " + time(node.lastSeen));
          c.appendChild(el("div", {class: "muted"}, facts.join(" · ")));
          if (node.topProcesses && node.topProcesses.length) {
            const t = el("table", {class: "top"});
            t.innerHTML = "<tr><th>process</th><th>name</th><th>messages</th><th>queued bytes</th></tr>";
            for (const p of node.topProcesses) {
              const r = el("tr");
              r.appendChild(el("td", {}, p.pid));
              r.appendChild(el("td", {}, p.name || ""));
              r.appendChild(el("td", {class: "n"}, String(p.mailbox)));
              r.appendChild(el("td", {class: "n"}, String(p.queuedBytes)));
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.membership) {
            const m = node.membership;
            const oldest = m.members.filter(x => x.status === "up" || x.status === "suspect")
              .sort((a, b) => a.started - b.started || (a.name < b.name ? -1 : 1))[0];
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"},
              "membership · local health " + m.localHealth + (oldest ? " · oldest " + oldest.name : "")));
            const t = el("table", {class: "top membership"});
            for (const x of m.members) {
              const r = el("tr", {"data-member": x.name, "data-member-status": x.status});
              r.appendChild(el("td", {}, x.name));
              const cell = el("td");
              cell.appendChild(el("span", {class: "badge " + x.status}, x.status));
              r.appendChild(cell);
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.groups && node.groups.length) {
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"}, "pg groups"));
            const t = el("table", {class: "top groups"});
            for (const g of node.groups) {
              const r = el("tr", {"data-group": g.name, "data-group-size": String(g.members.length)});
              r.appendChild(el("td", {}, g.name));
              r.appendChild(el("td", {class: "n"}, g.members.length + (g.members.length === 1 ? " member" : " members")));
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.globalNames && node.globalNames.length) {
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"}, "global names"));
            const t = el("table", {class: "top names"});
            for (const n of node.globalNames) {
              const r = el("tr", {"data-global-name": n.name});
              r.appendChild(el("td", {}, n.name));
              r.appendChild(el("td", {class: "n"}, n.pid));
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.replicatedKeys && node.replicatedKeys.length) {
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"}, "replicated data"));
            const t = el("table", {class: "top keys"});
            for (const k of node.replicatedKeys) {
              const r = el("tr", {"data-replicated-key": k.key, "data-replicated-value": k.summary});
              r.appendChild(el("td", {}, k.key));
              r.appendChild(el("td", {class: "muted"}, k.type));
              r.appendChild(el("td", {class: "n"}, k.summary));
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.store) {
            const st = node.store;
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"},
              "store: " + st.role + ", term " + st.term + ", leader " + (st.leader || "none")));
            const t = el("table", {class: "top store", "data-store-role": st.role,
              "data-store-commit": String(st.commitIndex)});
            const head = el("tr", {});
            head.appendChild(el("td", {}, "commit index"));
            head.appendChild(el("td", {class: "n"}, String(st.commitIndex)));
            head.appendChild(el("td", {class: "muted"}, "applied " + st.appliedIndex));
            t.appendChild(head);
            for (const name of Object.keys(st.tables).sort()) {
              const r = el("tr", {"data-store-table": name});
              r.appendChild(el("td", {}, name));
              r.appendChild(el("td", {class: "n"}, String(st.tables[name])));
              r.appendChild(el("td", {class: "muted"}, "records"));
              t.appendChild(r);
            }
            c.appendChild(t);
          }
          if (node.supervision && node.supervision.length) {
            c.appendChild(el("div", {class: "muted", style: "margin-top:.4em"}, "supervision"));
            c.appendChild(tree(node.supervision));
          }
          return c;
        }
        function render(model) {
          document.getElementById("observer").textContent =
            "observed from " + model.observer + " · " + model.nodes.length + " nodes · " + time(model.time);
          drawGraph(model);
          document.getElementById("cards").replaceChildren(...model.nodes.map(n => card(n, model.observer)));
          const events = document.getElementById("events");
          events.replaceChildren(...model.events.slice().reverse().map(e => {
            const li = el("li", {"data-kind": e.kind});
            li.appendChild(el("span", {class: "muted"}, time(e.time) + " "));
            li.appendChild(el("span", {class: "kind"}, e.kind));
            li.appendChild(document.createTextNode(" " + e.subject + (e.detail ? ": " + e.detail : "") + " "));
            li.appendChild(el("span", {class: "muted"}, "(seen by " + e.node + ")"));
            return li;
          }));
        }
        const live = document.getElementById("live");
        const source = new EventSource("events");
        source.onopen = () => { live.className = "on"; live.textContent = "live"; };
        source.onerror = () => { live.className = "off"; live.textContent = "reconnecting"; };
        source.onmessage = (message) => render(JSON.parse(message.data));
        </script>
        </body>
        </html>
        """
}
