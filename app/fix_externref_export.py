#!/usr/bin/env python3
"""Repairs a wasm-bindgen module damaged by old wasm-opt (Debian's binaryen 108).

binaryen before version 116 rewrites a module with two tables (funcref, then wasm-bindgen's
externref table) so that the `__wbindgen_externrefs` export points at table 0, the funcref
table; the page then dies on start with "WebAssembly.Table.set(): Argument 1 is invalid for
table". This finds the exported table, and if it is not an externref table, points the export
at the module's externref table. A module that is already right is left untouched.

    fix_externref_export.py FILE.wasm [INDEX.html]
        prints "fixed ..." or "ok"; exit 1 on a module it cannot make sense of. With INDEX.html,
        a fixed file's subresource-integrity hash (sha384, as Trunk writes it) is updated there.
"""
import base64
import hashlib
import sys

EXPORT = b"__wbindgen_externrefs"
FUNCREF, EXTERNREF = 0x70, 0x6F


def leb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def main(path, html=None):
    data = bytearray(open(path, "rb").read())
    before = sri(data)
    if data[:4] != b"\0asm":
        sys.exit(f"{path}: not a wasm module")
    tables = []  # element types, imported tables first, as the index space counts them
    export_at = None  # (offset of the index LEB, its length, the index)
    i = 8
    while i < len(data):
        section = data[i]
        size, i = leb(data, i + 1)
        start, end = i, i + size
        if section == 2:  # imports
            count, j = leb(data, start)
            for _ in range(count):
                for _ in range(2):  # module and field names
                    n, j = leb(data, j)
                    j += n
                kind = data[j]
                j += 1
                if kind == 0:  # function: type index
                    _, j = leb(data, j)
                elif kind == 1:  # table: reftype, limits
                    tables.append(data[j])
                    flags = data[j + 1]
                    _, j = leb(data, j + 2)
                    if flags & 1:
                        _, j = leb(data, j)
                elif kind == 2:  # memory: limits
                    flags = data[j]
                    _, j = leb(data, j + 1)
                    if flags & 1:
                        _, j = leb(data, j)
                elif kind == 3:  # global: valtype, mutability
                    j += 2
                else:
                    sys.exit(f"{path}: unknown import kind {kind}")
        elif section == 4:  # tables
            count, j = leb(data, start)
            for _ in range(count):
                tables.append(data[j])
                flags = data[j + 1]
                _, j = leb(data, j + 2)
                if flags & 1:
                    _, j = leb(data, j)
        elif section == 7:  # exports
            count, j = leb(data, start)
            for _ in range(count):
                n, j = leb(data, j)
                name = bytes(data[j : j + n])
                j += n
                kind = data[j]
                index_at = j + 1
                index, j = leb(data, index_at)
                if kind == 1 and name == EXPORT:
                    export_at = (index_at, j - index_at, index)
        i = end
    if export_at is None:
        print("ok (no externref table export)")
        return
    at, length, index = export_at
    if index < len(tables) and tables[index] == EXTERNREF:
        print("ok")
        return
    candidates = [k for k, t in enumerate(tables) if t == EXTERNREF]
    if len(candidates) != 1:
        sys.exit(f"{path}: {len(candidates)} externref tables, cannot tell which one is meant")
    right = candidates[0]
    # Rewrite the index in the same number of bytes (padded LEB128) so no offset moves.
    encoded = bytearray()
    value = right
    for k in range(length):
        byte = value & 0x7F
        value >>= 7
        encoded.append(byte | (0x80 if k < length - 1 else 0))
    data[at : at + length] = encoded
    open(path, "wb").write(data)
    print(f"fixed: {EXPORT.decode()} pointed at table {index}, now table {right}")
    if html:
        text = open(html, encoding="utf-8").read()
        open(html, "w", encoding="utf-8").write(text.replace(before, sri(data)))


if __name__ == "__main__":
    main(*sys.argv[1:3])
