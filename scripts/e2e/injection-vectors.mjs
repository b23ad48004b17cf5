// Script-injection vectors for the browser test. Each one, if it ever executed, calls window.__xss with its
// number (or opens a dialog), which the page-level hook records. Written for this suite from the well-known
// families: script tags, event handlers, javascript: and data: URLs, SVG/MathML, Markdown links and images,
// entity and encoding tricks, template and prototype tricks.
const hit = n => `window.__xss(${n})`;

export const injectionVectors = [
  n => `<script>${hit(n)}</script>`,
  n => `<img src=x onerror="${hit(n)}">`,
  n => `<svg onload="${hit(n)}"></svg>`,
  n => `<svg><script>${hit(n)}</script></svg>`,
  n => `<body onload="${hit(n)}">`,
  n => `<iframe srcdoc="<script>parent.__xss(${n})</script>"></iframe>`,
  n => `<iframe src="javascript:parent.__xss(${n})"></iframe>`,
  n => `<object data="javascript:${hit(n)}"></object>`,
  n => `<embed src="javascript:${hit(n)}">`,
  n => `<details open ontoggle="${hit(n)}"><summary>x</summary></details>`,
  n => `<input autofocus onfocus="${hit(n)}">`,
  n => `<video><source onerror="${hit(n)}"></video>`,
  n => `<audio src=x onerror="${hit(n)}"></audio>`,
  n => `<marquee onstart="${hit(n)}">x</marquee>`,
  n => `<math><mtext><table><mglyph><style><img src=x onerror="${hit(n)}">`,
  n => `<svg><animate onbegin="${hit(n)}" attributeName=x dur=1s>`,
  n => `"><script>${hit(n)}</script>`,
  n => `'><img src=x onerror=${hit(n)}>`,
  n => `<scr<script>ipt>${hit(n)}</scr</script>ipt>`,
  n => `<img src=x onerror=&#119;indow.__xss(${n})>`,
  n => `<a href="javascript:${hit(n)}" id="xss-link-${n}">link</a>`,
  n => `[markdown link](javascript:${hit(n)})`,
  n => `![markdown image](x" onerror="${hit(n)})`,
  n =>
    `[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMSk8L3NjcmlwdD4=)`,
  n => `<meta http-equiv="refresh" content="0;url=javascript:${hit(n)}">`,
  n =>
    `<style>@import 'javascript:${hit(
      n,
    )}';</style><div style="background:url(javascript:${hit(n)})">`,
  n =>
    `<form><button formaction="javascript:${hit(
      n,
    )}" id="xss-button-${n}">go</button></form>`,
  n => `{{constructor.constructor('${hit(n)}')()}}`,
  n => `\${${hit(n)}}`,
  n => `<img src=x onerror="alert(${n})">`,
  n => `<svg/onload=alert(${n})>`,
  n =>
    `<x onmouseover="${hit(
      n,
    )}" style="display:block;position:fixed;inset:0">cover</x>`,
  n => `%3Cscript%3E${hit(n)}%3C/script%3E`,
  n => `<base href="javascript:${hit(n)}//">`,
].map((make, index) => make(index + 1));
