#!/usr/bin/env python3
"""Gives a bundle's JS glue the short import and export names wasm-opt gave its wasm.

wasm-bindgen names every import after what it calls plus a 16-hex hash
(`__wbg_setAttribute_2d8a…`), and some exports after the whole generic path of a closure
shim; the names are in the wasm and again in the glue, and the hashes do not compress.
build-app.sh runs wasm-opt with --minify-imports-and-exports-and-modules, which renames
them all ("a", "Ab", …) and prints the old-to-new table; this rewrites the glue by that
table, and fails when a name it should rename is not where the glue is known to use it
(a new wasm-bindgen writing its glue differently), so a wrong glue is never shipped.

It also drops the glue of the stream classes wasm-streams exports (IntoUnderlyingSource,
-Sink, -ByteSource): Leptos links server_fn's browser client, which brings them, the app
never makes a stream, and build-app.sh removes their exports from the wasm.

    short-wasm-names.py MAP.json GLUE.js     rewrites GLUE.js in place
"""
import json
import re
import sys

STREAM_CLASSES = ("IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource")


def drop_stream_classes(glue: str) -> str:
    for cls in STREAM_CLASSES:
        block = re.compile(r"^export class %s \{\n.*?^\}\n" % cls, re.S | re.M)
        dispose = "if (Symbol.dispose) %s.prototype[Symbol.dispose] = %s.prototype.free;\n" % (
            cls,
            cls,
        )
        registry = re.compile(
            r"^const %sFinalization = \(typeof FinalizationRegistry === 'undefined'\)\n"
            r"    \? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n"
            r"    : new FinalizationRegistry\(ptr => wasm\.\w+\(ptr, 1\)\);\n" % cls,
            re.M,
        )
        for pattern in (block, re.compile(re.escape(dispose)), registry):
            glue, n = pattern.subn("", glue, count=1)
            if n != 1:
                sys.exit(f"short-wasm-names: the glue's {cls} is not where it was expected")
    return glue


def main() -> None:
    map_path, glue_path = sys.argv[1:3]
    table = json.load(open(map_path))
    glue = drop_stream_classes(open(glue_path).read())

    modules = {module for module, _, _ in table["imports"]}
    if len(modules) != 1:
        sys.exit(f"short-wasm-names: expected one import module, found {sorted(modules)}")
    # The module itself is renamed too ("a"): the key of the glue's import object.
    glue, n = re.subn(r'"%s": import0' % re.escape(modules.pop()), '"a": import0', glue)
    if n != 1:
        sys.exit("short-wasm-names: the glue's import object is not where it was expected")

    for _, old, new in table["imports"]:
        # Each import is one key of that object: `name: function(…)`.
        glue, n = re.subn(r"(?m)^(\s+)%s: " % re.escape(old), r'\1"%s": ' % new, glue)
        if n != 1:
            sys.exit(f"short-wasm-names: import {old} is not a key of the glue's imports")
    for old, new in table["exports"]:
        # Exports are read as `wasm.name`; one the glue never reads (a test hook) needs nothing.
        glue = re.sub(r"\bwasm\.%s\b" % re.escape(old), 'wasm["%s"]' % new, glue)
    left = set(re.findall(r"\bwasm\.([A-Za-z_$][\w$]*)", glue))
    if left:
        sys.exit(f"short-wasm-names: the glue reads exports the table did not rename: {sorted(left)}")
    open(glue_path, "w").write(glue)


if __name__ == "__main__":
    main()
