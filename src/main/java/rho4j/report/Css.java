package rho4j.report;

/** The report's only stylesheet, inlined so the page needs nothing from outside. */
final class Css {
    private Css() {}

    static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;background:#f5f6f8}
            main{max-width:1140px;margin:0 auto;padding:12px 20px 40px}
            h1{font-size:24px;margin:12px 0 2px} h2{font-size:18px;margin:0 0 10px} h3{font-size:15px;margin:14px 0 6px}
            .muted{color:#667;font-weight:normal;font-size:13px}
            ul.runs{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:6px 22px}
            .sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
            nav{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
            nav a{color:#345;text-decoration:none;background:#e8ecf1;border-radius:12px;padding:2px 10px;font-size:13px}
            .notes{margin:6px 0;font-size:13px;color:#555}
            section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:14px 18px;margin:14px 0}
            .charts{display:flex;flex-wrap:wrap;gap:14px}
            svg.chart{max-width:100%;height:auto;border:1px solid #f0f1f3;border-radius:4px}
            svg .ct{font-weight:600;font-size:13px;fill:#222} svg .tk{font-size:11px;fill:#555} svg .cat{font-size:12px;fill:#222}
            svg .al{font-size:12px;fill:#444} svg .lg{font-size:11px;fill:#333} svg .bv{font-size:10px;fill:#333}
            svg .grid{stroke:#edf0f3} svg .axis{stroke:#999}
            .tables{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
            table{border-collapse:collapse;font-size:13px}
            caption{text-align:left;font-weight:600;padding:2px 0 4px}
            th,td{border-bottom:1px solid #e6e8eb;padding:4px 12px 4px 0;text-align:left;vertical-align:top}
            th{color:#445} .num{text-align:right;font-variant-numeric:tabular-nums}
            table.settings td{max-width:420px;overflow-wrap:anywhere}
            .na{color:#7a5b12;background:#fdf7e3;border:1px solid #f3e2b3;padding:5px 10px;border-radius:4px;margin:8px 0}
            #tokens input[type=radio]{position:absolute;opacity:0;pointer-events:none}
            label.tab{display:inline-block;padding:3px 12px;margin:0 6px 8px 0;border:1px solid #c9ced6;border-radius:14px;cursor:pointer;font-size:13px}
            #tv-ref:checked+label,#tv-exc:checked+label,#tv-sel:checked+label{background:#2f3b4c;border-color:#2f3b4c;color:#fff}
            .legends{font-size:12px;color:#444;margin:2px 0 6px}
            .leg{display:none;align-items:center;gap:6px}
            .leg-ref{display:inline-flex}
            .ramp{display:inline-block;width:120px;height:10px;border:1px solid #ccc;border-radius:2px}
            #tv-exc:checked~.tokruns .leg-ref,#tv-sel:checked~.tokruns .leg-ref{display:none}
            #tv-exc:checked~.tokruns .leg-exc,#tv-sel:checked~.tokruns .leg-sel{display:inline-flex}
            .doc{border:1px solid #e6e8eb;border-radius:6px;padding:6px 10px;margin:6px 0 10px}
            .dochead{font-size:12px;color:#667;margin-bottom:4px}
            .tok{white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.9 ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
            .t{background:var(--r);border-radius:2px;padding:1px 0}
            #tv-exc:checked~.tokruns .t{background:var(--e)}
            #tv-sel:checked~.tokruns .t{background:var(--s)}
            .legends .t{padding:1px 6px}
            .t.nz{text-decoration:underline wavy #8a8a8a}
            """;
}
