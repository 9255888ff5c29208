"""A corpus of stored-XSS payloads, generated: script tags, event handlers, javascript: and
data: URLs, SVG and MathML, encoded and split variants, template injection (Jinja and
others), CSS expressions and Unicode tricks. Each one, if it ever ran, would set
`window.__xss` or open a dialog, which the browser test watches for."""

import itertools

ACTIONS = ["window.__xss=1", "alert(1)", "confirm(1)", "prompt(1)", "window['__xss']=1",
           "top.__xss=1", "eval('window.__xss=1')", "setTimeout('window.__xss=1')"]

SCRIPTS = [
    "<script>{a}</script>",
    "<SCRIPT>{a}</SCRIPT>",
    "<script src=data:text/javascript,{a}></script>",
    "<script type=module>{a}</script>",
    "<scr<script>ipt>{a}</scr</script>ipt>",
    "\"><script>{a}</script>",
    "'><script>{a}</script>",
    "</textarea><script>{a}</script>",
    "</title><script>{a}</script>",
    "</p></div><script>{a}</script>",
    "<script>/*</script><script>*/{a}</script>",
    "<!--<script>-->{a}<!--</script>-->",
]

HANDLERS = [
    "<img src=x onerror={a}>",
    "<img src=x onerror=\"{a}\">",
    "<IMG SRC=x OnErRoR={a}>",
    "<img/src=x/onerror={a}>",
    "<img src=x onerror\n={a}>",
    "<svg onload={a}>",
    "<svg/onload={a}>",
    "<body onload={a}>",
    "<details open ontoggle={a}>",
    "<input autofocus onfocus={a}>",
    "<select autofocus onfocus={a}>",
    "<textarea autofocus onfocus={a}>",
    "<video><source onerror={a}></video>",
    "<audio src=x onerror={a}>",
    "<iframe onload={a}></iframe>",
    "<marquee onstart={a}>",
    "<div onmouseover={a}>hover</div>",
    "<a onclick={a} href=#>click</a>",
    "<object data=x onerror={a}>",
    "<style onload={a}></style>",
    "<x contenteditable onfocus={a} autofocus>",
    "\" onmouseover=\"{a}",
    "' onfocus='{a}' autofocus='",
    "\" autofocus onfocus=\"{a}",
]

URLS = [
    "<a href=\"javascript:{a}\">link</a>",
    "<a href=\"JaVaScRiPt:{a}\">link</a>",
    "<a href=\"jav&#x09;ascript:{a}\">link</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:{a}\">link</a>",
    "<a href=\" javascript:{a}\">link</a>",
    "<iframe src=\"javascript:{a}\"></iframe>",
    "<iframe srcdoc=\"<script>{a}</script>\"></iframe>",
    "<form action=\"javascript:{a}\"><button>go</button></form>",
    "<button formaction=\"javascript:{a}\">go</button>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<iframe src=\"data:text/html,<script>{a}</script>\"></iframe>",
    "<object data=\"data:text/html,<script>{a}</script>\"></object>",
    "<embed src=\"javascript:{a}\">",
    "<base href=\"javascript:{a}//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{a}\">",
    "javascript:{a}",
    "data:text/html,<script>{a}</script>",
]

SVG_MATH = [
    "<svg><script>{a}</script></svg>",
    "<svg><animate onbegin={a} attributeName=x dur=1s>",
    "<svg><set attributeName=onload to={a}>",
    "<svg><a xlink:href=\"javascript:{a}\"><text x=20 y=20>x</text></a></svg>",
    "<svg><foreignObject><img src=x onerror={a}></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={a}>",
    "<math href=\"javascript:{a}\">CLICK</math>",
    "<math><maction actiontype=statusline xlink:href=\"javascript:{a}\">x</maction></math>",
    "<svg><style><img src=x onerror={a}></style></svg>",
    "<noscript><p title=\"</noscript><img src=x onerror={a}>\">",
]

ENCODED = [
    "&lt;script&gt;{a}&lt;/script&gt;",
    "%3Cscript%3E{a}%3C/script%3E",
    "\\u003cscript\\u003e{a}\\u003c/script\\u003e",
    "\\x3cscript\\x3e{a}\\x3c/script\\x3e",
    "&#60;script&#62;{a}&#60;/script&#62;",
    "&#x3C;img src=x onerror={a}&#x3E;",
    "<img src=x onerror=&#x61;&#x6c;&#x65;&#x72;&#x74;(1)>",
    "<img src=x onerror=\\u0061lert(1)>",
    "<scr\x00ipt>{a}</scr\x00ipt>",
    "<img src=x one\x00rror={a}>",
]

CSS = [
    "<div style=\"background:url(javascript:{a})\">x</div>",
    "<div style=\"width:expression({a})\">x</div>",
    "<style>@import 'javascript:{a}';</style>",
    "<style>body{{background:url(\"javascript:{a}\")}}</style>",
    "<link rel=stylesheet href=\"javascript:{a}\">",
    "<div style=\"behavior:url(x.htc)\">x</div>",
    "<p style=\"-moz-binding:url(x.xml#xss)\">x</p>",
]

TEMPLATES = [
    "{{{{7*7}}}}",
    "{{{{ config }}}}",
    "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "{{% for x in range(3) %}}{{{{x}}}}{{% endfor %}}",
    "{{% raw %}}<script>{a}</script>{{% endraw %}}",
    "{{{{ '<script>{a}</script>' | safe }}}}",
    "${{7*7}}",
    "#{{7*7}}",
    "<%= 7*7 %>",
    "{{{{constructor.constructor('{a}')()}}}}",
    "[[7*7]]",
    "{{#with \"s\" as |string|}}{{{{string}}}}{{/with}}",
]

UNICODE = [
    "\u202e<script>{a}</script>",
    "\uff1cscript\uff1e{a}\uff1c/script\uff1e",
    "<\u0131mg src=x onerror={a}>",
    "\ufeff<img src=x onerror={a}>",
    "\u2028<script>{a}</script>\u2029",
    "<a href=\"java\u200bscript:{a}\">zero width</a>",
    "\U0001f600<svg onload={a}>\U0001f600",
    "<img src=x onerror={a}>\u0301",
]


def payloads() -> list[str]:
    """Every shape with a couple of actions: well over 200, distinct."""
    seen, out = set(), []
    groups = [SCRIPTS, HANDLERS, URLS, SVG_MATH, ENCODED, CSS, TEMPLATES, UNICODE]
    for group in groups:
        for shape, action in itertools.product(group, ACTIONS[:3]):
            text = shape.replace("{a}", action).replace("{{", "{").replace("}}", "}") \
                if "{{" in shape and "{a}" not in shape else shape.format(a=action)
            if text not in seen:
                seen.add(text)
                out.append(text)
    return out


def browser_sample(n: int = 30) -> list[str]:
    """Payloads that would visibly run in a browser (a dialog or window.__xss), a few of each kind."""
    every = payloads()
    runs = [p for p in every if "__xss" in p or "alert(1)" in p]
    step = max(1, len(runs) // n)
    return runs[::step][:n]
