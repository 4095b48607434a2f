/**
 * The app page's stylesheet, served as `GET /app/style.css` (the page's CSP allows only same-origin
 * styles, no inline ones). Plain CSS, sized for the portal's iframe: tidy from 800 px wide up.
 */
export const APP_PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2d3d;background:#eef2f4}
header.top{display:flex;align-items:center;justify-content:space-between;gap:12px;padding:10px 20px;background:#2fc6f6;color:#fff}
header.top .brand{font-weight:600;font-size:16px}
header.top .who{font-size:12px;opacity:.95;text-align:right}
main{max-width:980px;margin:0 auto;padding:16px 20px 32px}
h1{font-size:18px;margin:4px 0 12px}
h2{font-size:15px;margin:22px 0 8px;display:flex;align-items:center;gap:8px}
h2 .count{font-weight:400;color:#828b95;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.card{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:12px 14px}
.card h3{margin:0 0 6px;font-size:13px;color:#525c69;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.card p{margin:4px 0}
.muted{color:#828b95}
.small{font-size:12px}
.bot{background:#fff;border:1px solid #dfe3e8;border-radius:8px;margin:0 0 12px;overflow:hidden}
.bot-head{display:flex;align-items:center;justify-content:space-between;gap:10px;padding:10px 14px;border-bottom:1px solid #eef0f2}
.bot-head .name{font-weight:600}
.bot-head .code{color:#828b95;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;margin-left:6px}
.facts{display:grid;grid-template-columns:repeat(4,minmax(0,1fr)) minmax(0,2fr);gap:4px 14px;padding:10px 14px;margin:0}
.facts dt{font-size:11px;color:#828b95;text-transform:uppercase;letter-spacing:.03em}
.facts dd{margin:0;overflow-wrap:anywhere}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11px;font-weight:600;white-space:nowrap}
.ok{background:#e5f9d4;color:#3a6b0d}
.warn{background:#fff1d6;color:#8a5a00}
.bad{background:#ffe3e3;color:#a61d24}
.info{background:#e5f4ff;color:#0b66c3}
table{width:100%;border-collapse:collapse;background:#fff;font-size:13px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eef0f2;vertical-align:top;overflow-wrap:anywhere}
th{font-size:11px;color:#828b95;text-transform:uppercase;letter-spacing:.03em;font-weight:600;background:#f8fafb;white-space:nowrap;overflow-wrap:normal}
td.num{white-space:nowrap;overflow-wrap:normal}
.table{border:1px solid #dfe3e8;border-radius:8px;overflow:hidden}
.bot table{border-top:1px solid #eef0f2}
.bot .empty{padding:8px 14px}
td.actions{white-space:nowrap;text-align:right}
td.actions form{display:inline}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.lang{color:#828b95;font-size:11px;margin-right:4px}
form{margin:0}
button{font:inherit;font-size:13px;border:1px solid #c6cdd3;background:#fff;color:#1f2d3d;border-radius:6px;padding:4px 12px;cursor:pointer}
button:hover{background:#f1f4f6}
button.primary{background:#3bc8f5;border-color:#3bc8f5;color:#fff;font-weight:600}
button.primary:hover{background:#12b1e3}
button.danger{border-color:#ff5752;color:#d0021b}
button.danger:hover{background:#ffe3e3}
.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-top:8px}
.notice{padding:10px 14px;border-radius:8px;margin:0 0 12px;border:1px solid}
.notice.ok{border-color:#b6e38f}
.notice.bad{border-color:#f5a3a3}
.notice.info{border-color:#a9d8ff}
ul.changes{margin:8px 0;padding:0;list-style:none;background:#fff;border:1px solid #dfe3e8;border-radius:8px}
ul.changes li{padding:7px 14px;border-bottom:1px solid #eef0f2;display:flex;gap:10px;align-items:baseline}
ul.changes li:last-child{border-bottom:0}
.error-page{max-width:560px;margin:40px auto;background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:20px 24px}
.error-page h1{color:#a61d24}
@media (max-width:700px){.cards{grid-template-columns:1fr}.facts{grid-template-columns:repeat(2,minmax(0,1fr))}}
`;
