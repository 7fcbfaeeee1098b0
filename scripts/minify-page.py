#!/usr/bin/env python3
"""Minifies dist/index.html in place: the inline critical CSS and the bundle-picking script
through esbuild, the comments (which explain the template, app/index.html, to its readers)
out, and each line's indentation. The page is the first thing a phone downloads.

    minify-page.py ESBUILD PAGE.html
"""
import re
import subprocess
import sys


def main() -> None:
    esbuild, path = sys.argv[1:3]
    page = open(path).read()

    def minified(code: str, loader: str) -> str:
        args = [esbuild, f"--loader={loader}", "--minify", "--log-level=warning"]
        if loader == "js":
            args.append("--format=esm")  # a module script: its top-level await stays
        done = subprocess.run(args, input=code, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    for tag, loader in (("style", "css"), ('script type="module"', "js")):
        end = tag.split()[0]
        pattern = re.compile(r"(<%s>)(.*?)(</%s>)" % (re.escape(tag), end), re.S)
        page, n = pattern.subn(lambda m: m[1] + minified(m[2], loader) + m[3], page)
        if n != 1:
            sys.exit(f"minify-page: expected one <{tag}> in {path}, found {n}")
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)
    page = re.sub(r"\n\s+", "\n", page)
    open(path, "w").write(page)


if __name__ == "__main__":
    main()
