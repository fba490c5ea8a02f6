#!/bin/sh
# wasmperf-flame against inferno's flame graph cases, read from the peer
# directory (never copied into the tree; see ../shared/peer/README.md).
#
# inferno's SVGs differ from ours in layout details (percent coordinates,
# pretty-printing, colour scales), so each case compares the multiset of
# frame <title>s - "name (N samples, P%)" - after XML-unescaping both sides,
# plus the one thing the case's option is about (title text, attributes,
# palette.map colours, ...). Normalisations, each for a documented reason:
#   * --minwidth 0.01% is passed because that is inferno's default (ours and
#     flamegraph.pl's is 0.1 px);
#   * fractional inputs are compared by names only: inferno truncates
#     fractional counts, flamegraph.pl and wasmperf-flame keep them (our
#     own totals are checked instead); percentages are of the exact width
#     where flamegraph.pl and inferno divide the rounded count;
#   * --factor is compared by names, then each count is checked to be the
#     unscaled one x factor rounded half to even (flamegraph.pl's sprintf
#     "%.0f"); inferno rounds halves away from zero;
#   * blanks around names are dropped where the input has frames that are
#     only blanks ("x;  3"): flamegraph.pl keeps all but one blank before
#     the count in the stack (frame " "), inferno trims them (frame "").
# Cases whose inputs are not in the peer directory (inferno reads some from
# FlameGraph's test/ folder) or whose options we do not have (--base,
# --colordiffusion's colours, --search-color, ...) are not run.
#
# Usage: test_flame_conformance.sh [PEER_DIR]   (default $WASMPERF_SHARED/peer)
# Exit: 0 pass, 1 fail, 77 skipped (no peer data or no python3).
set -u
peer=${1:-${WASMPERF_SHARED:-}/peer}
flame=${WASMPERF_BIN:+$WASMPERF_BIN/}wasmperf-flame
dir=$peer/inferno/flamegraph
[ -d "$dir" ] || { echo "SKIP: no peer data at '$peer'"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

exec python3 - "$flame" "$dir" "$peer" "$tmp" <<'PY'
import html, os, re, subprocess, sys, shutil
import xml.dom.minidom

flame, d, peer, tmp = sys.argv[1:5]
passed = failed = 0

def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, ("\n   " + str(detail)[:1500]) if detail != "" else "")

def run(args, cwd=None, inp=None):
    p = subprocess.run([flame] + args, cwd=cwd, input=inp, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

def titles(svg):
    # frame titles only: the <title> elements inside the frames group
    return [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", svg, re.S)]

def frames(svg):
    """(title, fill, y) of each frame, in document order."""
    out = []
    for m in re.finditer(r"<title>(.*?)</title>\s*<rect ([^>]*?)/?>", svg, re.S):
        attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', m.group(2)))
        out.append((html.unescape(m.group(1)), attrs.get("fill"), float(attrs.get("y", "0")),
                    attrs))
    return out

def count_of(t):
    return int(re.search(r"\(([\d,]+) ", t).group(1).replace(",", ""))

def name_of(title):
    # "(N samples, P%)" alone is the title of a frame named "" (or blanks, stripped)
    return re.sub(r"(^| )\([^(]*\)$", "", title)

def well_formed(svg, what):
    try:
        xml.dom.minidom.parseString(svg.encode())
        ok(True, what)
    except Exception as e:
        ok(False, what + ": SVG is not well-formed XML", e)

def same_multiset(got, want, what):
    g, w = sorted(got), sorted(want)
    if g == w:
        ok(True, what)
    else:
        missing = [x for x in set(w) if w.count(x) > g.count(x)]
        extra = [x for x in set(g) if g.count(x) > w.count(x)]
        ok(False, what, "missing %s\n   unexpected %s" % (missing[:8], extra[:8]))

def p(*parts):
    return os.path.join(d, *parts)

def compare(name, inputs, expected, opts, by_name=False, strip=False):
    rc, out, err = run(["--minwidth", "0.01%"] + opts + inputs)
    ok(rc == 0, name + ": exit 0", err)
    well_formed(out, name)
    want = titles(open(expected, encoding="utf-8").read())
    got = titles(out)
    if strip:
        want = [re.sub(r"^\s+|\s+(?= \()", "", t) for t in want]
        got = [re.sub(r"^\s+|\s+(?= \()", "", t) for t in got]
    if by_name:
        same_multiset([name_of(t) for t in got], [name_of(t) for t in want], name + ": frame names")
    else:
        same_multiset(got, want, name + ": frame titles")
    return out

def text_el(svg, ident):
    m = re.search(r'<text id="%s"[^>]*>(.*?)</text>' % ident, svg, re.S)
    return html.unescape(m.group(1)) if m else None

# ---- colours
compare("deterministic", [p("colors", "async-profiler-collapsed-part.txt")],
        p("colors", "deterministic.svg"), ["--deterministic"])
compare("colors-java", [p("colors", "async-profiler-collapsed-part.txt")],
        p("colors", "async-profiler-java.svg"), ["--colors", "java", "--hash"])

# ---- differential: titles carry "; +D%", colours say more (red) / less (blue)
diff_in = p("differential", "perf-cycles-instructions-01-collapsed-all-diff.txt")
for neg in (False, True):
    nm = "diff-negated" if neg else "diff"
    out = compare(nm, [diff_in], p("differential", nm + ".svg"), ["--negate"] if neg else [])
    bad = []
    for t, fill, _, _ in frames(out):
        r, g, b = map(int, re.findall(r"\d+", fill))
        m = re.search(r"; ([+-]?)[\d.]+%\)$", t)
        if not m:
            continue
        if t.endswith("; 0.00%)"):
            good = (r, g, b) == (255, 255, 255)
        elif m.group(1) == "+":
            good = r == 255 and b < 255
        else:
            good = b == 255 and r < 255
        if not good:
            bad.append((t, fill))
    ok(not bad and "; +" in out and "; -" in out, nm + ": red for growth, blue for shrinkage", bad)

# ---- options rendered from the differential input
opt_cases = {
    "default": [], "title_simple": ["--title", "Test Graph"],
    "title_with_symbols": ["--title", "Test <& ' \""],
    "subtitle_simple": ["--subtitle", "Test Subtitle"],
    "subtitle_with_symbols": ["--subtitle", "Test Subtitle <& ' \""],
    "notes_simple": ["--notes", "Test Notes"],
    "notes_with_symbols": ["--notes", "Test Notes <& ' \""],
    "count_name_simple": ["--countname", "test-samples"],
    "count_name_with_symbols": ["--countname", "test-samples <& ' \""],
    "name_type_simple": ["--nametype", "Tfunction:"],
    "name_type_with_quote": ["--nametype", "Test: '"],
    "name_type_with_backslash": ["--nametype", "Test: \\"],
    "font_type_simple": ["--fonttype", "Andale Mono"],
    "font_type_with_quote": ["--fonttype", "Andale Mono\""],
}
for fam in ("cursive", "fantasy", "monospace", "sans-serif", "serif"):
    opt_cases["font_type_" + fam] = ["--fonttype", fam]
for case, opts in opt_cases.items():
    exp_path = p("options", case + ".svg")
    if not os.path.exists(exp_path):
        continue
    out = compare("options/" + case, [diff_in], exp_path, opts)
    exp = open(exp_path, encoding="utf-8").read()
    if case.startswith(("title", "subtitle")):
        ident = case.split("_")[0]
        ok(text_el(out, ident) == text_el(exp, ident) == opts[1],
           case + ": #%s text" % ident, (text_el(out, ident), text_el(exp, ident)))
    elif case.startswith("notes"):
        n1 = re.search(r"<!-- ?NOTES: (.*?) ?-->", out, re.S)
        n2 = re.search(r"<!-- ?NOTES: (.*?) ?-->", exp, re.S)
        ok(n1 and n2 and html.unescape(n1.group(1)) == html.unescape(n2.group(1)) == opts[1],
           case + ": notes comment", (n1 and n1.group(1), n2 and n2.group(1)))
    elif case.startswith("name_type"):
        m = re.search(r'fg:nametype="([^"]*)"', out)
        ok(m and html.unescape(m.group(1)) == opts[1], case + ": nametype reaches the SVG", m and m.group(1))
    elif case.startswith("font_type"):
        def fam_of(s):
            m = re.search(r"font-family:(.*?); font-size", s)
            v = html.unescape(m.group(1)) if m else ""
            if v.startswith('"') and v.endswith('"'):
                v = re.sub(r'\\(.)', r'\1', v[1:-1])
            return v
        ok(fam_of(out) == fam_of(exp) == opts[1], case + ": font family", (fam_of(out), fam_of(exp)))

# ---- fractional counts (inferno truncates them: compare names; check our sums)
out = compare("fractional-reversed", [p("fractional-samples", "fractional.txt")],
              p("fractional-samples", "fractional-reversed.svg"), ["--reverse", "--hash"], by_name=True)
# 31.23 + 6.1 + 1.4 + 19.0 + 2.567 + 274.321 = 334.618 -> "335"
ok("all (335 samples, 100%)" in titles(out), "fractional: total kept as 334.618 (335)",
   [t for t in titles(out) if t.startswith("all")])
# flamegraph.pl divides the rounded count (274 / 334.618 = 81.88%, and "a 1.5"
# alone would be 133.33%); we divide the exact width (wasmperf-flame(1))
ok("main (274 samples, 81.98%)" in titles(out), "fractional: 274.321 -> 274 samples, 81.98%",
   [t for t in titles(out) if t.startswith("main")])
compare("with-space-reversed", [p("fractional-samples", "with-space.txt")],
        p("fractional-samples", "with-space-reversed.svg"), ["--reverse", "--hash"], by_name=True, strip=True)

# ---- grey separator frames
out = compare("grey-frames", [p("grey-frames", "grey-frames.txt")], p("grey-frames", "grey-frames.svg"), ["--hash"])
greys = {name_of(t): f for t, f, _, _ in frames(out) if name_of(t) in ("-", "--")}
ok(greys.get("--") == "rgb(160,160,160)" and greys.get("-") == "rgb(200,200,200)",
   "grey-frames: '--' and '-' are grey", greys)

# ---- pruning, flame chart, a third-party folded file
out = compare("narrow-blocks", [p("narrow-blocks", "narrow-blocks.txt")], p("narrow-blocks", "narrow-blocks.svg"), ["--hash"])
compare("flamechart", [p("flamechart", "flames.txt")], p("flamechart", "flame.svg"), ["--flamechart", "--hash"])
compare("austin", [p("austin", "flames.txt")], p("austin", "flame.svg"), [])

# ---- --nameattr (input from FlameGraph's test results in the peer folder)
cyc = os.path.join(peer, "flamegraph-test", "results", "perf-cycles-instructions-01-collapsed-all.txt")
def frame_tags(svg):
    tags = []
    for m in re.finditer(r"<(a|g)( [^>]*)?>\s*<title>", svg):
        attrs = tuple(sorted(re.findall(r'([\w:-]+)="([^"]*)"', m.group(2) or "")))
        if attrs:
            tags.append((m.group(1),) + attrs)
    return tags
if os.path.exists(cyc):
    for attrfile, exp in (("nameattr.txt", "nameattr.svg"), ("nameattr_empty_first_line.txt", "nameattr.svg"),
                          ("nameattr_empty_attribute.txt", "nameattr.svg"),
                          ("nameattr_duplicate_attributes.txt", "nameattr_duplicate_attributes.svg")):
        nm = "nameattr/" + attrfile
        out = compare(nm, [cyc], p("nameattr", exp), ["--hash", "--nameattr", p("nameattr", attrfile)])
        same_multiset(frame_tags(out), frame_tags(open(p("nameattr", exp), encoding="utf-8").read()),
                      nm + ": <a>/<g> attributes")
    rc, out, err = run(["--nameattr", p("nameattr", "nameattr_invalid_attribute.txt"), cyc])
    ok(rc == 0 and "invalid attribute" in err, "nameattr: an invalid attribute is a warning", err)
else:
    print("note: %s missing, --nameattr cases not run" % cyc)

# ---- the vertx profile (unsorted; also split in two files)
vertx = p("unsorted-input", "perf-vertx-stacks-01-collapsed-all-unsorted.txt")
parts = [p("multiple-inputs", "perf-vertx-stacks-01-collapsed-all-unsorted-%d.txt" % i) for i in (1, 2)]
out = compare("factor-2.5", [vertx], p("factor", "factor-2.5.svg"), ["--factor", "2.5", "--hash"],
              by_name=True, strip=True)
rc, plain, _ = run(["--minwidth", "0.01%", vertx])
# inferno rounds x.5 away from zero, flamegraph.pl (sprintf "%.0f") and we to even
def halfeven(x):
    r = round(x)  # Python rounds half to even
    return r
bad = [(a, b) for a, b in zip(titles(plain), titles(out))
       if name_of(a) != name_of(b) or count_of(b) != halfeven(count_of(a) * 2.5)]
ok(not bad, "factor: every count x 2.5, rounded half to even", bad[:5])
allp = [count_of(t) for t in titles(plain) if t.startswith("all (")]
allf = [count_of(t) for t in titles(out) if t.startswith("all (")]
ok(allp and allf and allf[0] == round(allp[0] * 2.5), "factor: counts x 2.5", (allp, allf))

out = compare("inverted", [vertx], p("inverted", "inverted.svg"), ["--inverted", "--hash"], strip=True)
ok(text_el(out, "title") == "Icicle Graph", "inverted: default title Icicle Graph", text_el(out, "title"))
fr = frames(out)
root_y = [y for t, _, y, _ in fr if t.startswith("all (")]
ok(root_y and all(y >= root_y[0] for _, _, y, _ in fr), "inverted: the root is the top row", root_y)
fr = frames(plain)
root_y = [y for t, _, y, _ in fr if t.startswith("all (")]
ok(root_y and all(y <= root_y[0] for _, _, y, _ in fr), "default: the root is the bottom row", root_y)

compare("multiple-inputs", parts, p("inverted", "inverted.svg"), ["--hash"], strip=True)
compare("unsorted-input", [vertx], p("options", "colordiffusion.svg"), [], strip=True)
rc, out, err = run(["--minwidth", "0.01%", "-"], inp=open(vertx, "rb").read())
same_multiset(titles(out), titles(plain), "stdin '-' equals the file")

# --cp: colours come from palette.map in the cwd, which is rewritten sorted
cpdir = os.path.join(tmp, "cp")
os.makedirs(cpdir)
shutil.copy(p("palette-map", "palette.map"), os.path.join(cpdir, "palette.map"))
before = {}
for line in open(os.path.join(cpdir, "palette.map"), encoding="utf-8"):
    k, _, v = line.rstrip("\n").rpartition("->")
    before[k] = v
rc, out, err = run(["--minwidth", "0.01%", "--cp", "--hash", vertx], cwd=cpdir)
ok(rc == 0, "palette-map: exit 0", err)
same_multiset([t.strip() for t in titles(out)],
              [t.strip() for t in titles(open(p("palette-map", "consistent-palette.svg"), encoding="utf-8").read())],
              "palette-map: frame titles")
exp_fill = {}
for t, f, _, _ in frames(open(p("palette-map", "consistent-palette.svg"), encoding="utf-8").read()):
    exp_fill.setdefault(name_of(t), f)
wrong = [(name_of(t), f, exp_fill.get(name_of(t))) for t, f, _, _ in frames(out)
         if not t.startswith("all (") and name_of(t) in exp_fill and f != exp_fill[name_of(t)]]
ok(not wrong, "palette-map: fills taken from palette.map", wrong[:5])
after = open(os.path.join(cpdir, "palette.map"), encoding="utf-8").read().splitlines()
keys = [l.rpartition("->")[0].encode() for l in after]
ok(keys == sorted(keys) and set(before) <= set(k.decode() for k in keys),
   "palette-map: palette.map rewritten, sorted, nothing lost")
rc, out, err = run(["--cp", "--hash", vertx], cwd=cpdir)
rc2, out2, _ = run(["--cp", "--hash", vertx], cwd=cpdir)
ok(out == out2, "palette-map: a second run reuses the same colours")

# ---- empty input and bad lines
rc, out, err = run([p("empty", "empty.txt")])
ok(rc == 2 and "ERROR: No valid input provided" in out, "empty input: exit 2 and an error SVG", (rc, err))
well_formed(out, "empty input")
rc, out, err = run([p("bad-lines", "bad-lines.txt")])
ok(rc == 0 and err.count("Ignored 2 lines with invalid format") == 1,
   "bad lines: one 'Ignored 2 lines' warning, exit 0", (rc, err))
rc, out, err = run(["-q", p("bad-lines", "bad-lines.txt")])
ok(rc == 0 and err == "", "bad lines: -q silences the warning", err)

# ---- what the remaining options do, on small inputs of our own
rc, out, _ = run(["--flamechart"], inp=b"a;x 1\nb;y 1\na;z 1\n")
depth1 = [name_of(t) for t, _, y, a in sorted(frames(out), key=lambda f: float(f[3]["x"]))
          if t[:2] in ("a ", "b ")]
ok(depth1 == ["a", "b", "a"] and text_el(out, "title") == "Flame Chart",
   "flamechart: input order kept, title Flame Chart", (depth1, text_el(out, "title")))
rc, out, _ = run([], inp=b"a;x 1\nb;y 1\na;z 1\n")
ok(sorted(name_of(t) for t in titles(out) if t[:2] in ("a ", "b ")) == ["a", "b"]
   and "a (2 samples, 66.67%)" in titles(out), "default: same names merged", titles(out))
rc, out, _ = run(["--minwidth", "50%"], inp=b"a;b 60\na;c 30\nd 10\n")
ok(sorted(name_of(t) for t in titles(out)) == ["a", "all", "b"], "minwidth 50%: narrower frames pruned", titles(out))
rc, out, _ = run(["--minwidth", "200"], inp=b"a;b 60\na;c 30\nd 10\n")
ok(sorted(name_of(t) for t in titles(out)) == ["a", "all", "b", "c"], "minwidth 200 px: 118 px frames pruned", titles(out))
rc, out, _ = run(["--reverse"], inp=b"a;b;c 2\nx;b;c 1\n")
ok("c (3 samples, 100.00%)" in titles(out) and "b (3 samples, 100.00%)" in titles(out),
   "reverse: stacks merged from the leaf", titles(out))
rc, out, err = run(["--total", "200"], inp=b"a 50\nb 50\n")
ok("all (200 samples, 100%)" in titles(out) and "a (50 samples, 25.00%)" in titles(out), "total: a larger denominator", titles(out))
rc, out, err = run(["--total", "10"], inp=b"a 50\nb 50\n")
ok("all (100 samples, 100%)" in titles(out) and "--total" in err, "total: a smaller --total is ignored with a warning", err)
rc, out, _ = run([], inp=b"a;b 1234567\n")
ok("b (1,234,567 samples, 100.00%)" in titles(out), "thousands separators", titles(out))
rc, out, _ = run([], inp=b"a;b 12000000000\na;c 5000000000\n")
ok("all (17,000,000,000 samples, 100%)" in titles(out), "64-bit totals (1.7e10)", titles(out)[:2])

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
