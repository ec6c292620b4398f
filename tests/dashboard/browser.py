"""Headless Chromium for the dashboard tests and screenshots: the DOM a page renders, and PNG screenshots.

Debian's `chromium` is installed by scripts/test (and .ci/run). It runs with --no-sandbox because CI runs as root.
"""

import shutil
import subprocess
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise AssertionError("chromium is not installed: scripts/test installs Debian's chromium package")
    return path


def flags(width=1440, height=1000):
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
            "--no-first-run", f"--window-size={width},{height}"]


def dump_dom(url):
    """The page's DOM after Chromium loaded it and ran its scripts, serialized as HTML."""
    result = subprocess.run(flags() + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or "<html" not in result.stdout:
        raise AssertionError(f"chromium could not render {url}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return parse(result.stdout)


def screenshot(url, path, width=1440, height=1000):
    result = subprocess.run(flags(width, height) + [f"--screenshot={path}", url],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"chromium could not screenshot {url}: {result.stderr[-2000:]}")


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, dict(attrs), parent, [], []

    @property
    def text(self):
        return " ".join("".join(p if isinstance(p, str) else p.text for p in self.parts).split())

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag (any when None) whose attributes equal the given ones (data_k → data-k, class_ → class);
        an attribute given as True only has to be present."""
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter() if n is not self and (tag is None or n.tag == tag)
                and all((k in n.attrs) if v is True else n.attrs.get(k) == v for k, v in want.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        if not found:
            raise AssertionError(f"no <{tag or '*'} {attrs}> in <{self.tag} {self.attrs}>")
        return found[0]

    def value(self):
        """The element's data-value as a number (None when empty)."""
        text = self.attrs.get("data-value", "")
        return float(text) if text != "" else None


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.parts.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse(html):
    builder = _Builder()
    builder.feed(html)
    return builder.root
