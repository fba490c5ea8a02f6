"use strict";
// wasmperf-flame's SVG behaviour: click to zoom, Reset Zoom, Ctrl-F / F3
// regex search with "Matched: X%" (or "no matches"), Ctrl-I ignore case, hover details, and
// zoom/search state in the URL query. flamegraph.pl's DOM contract and
// function names are kept; positions come from the integer fg:x / fg:w
// attributes (samples), so zoom and search use exact arithmetic.
var details, searchbtn, unzoombtn, matchedtxt, ignorecaseBtn, svg, framesEl;
var searching = 0, currentSearchTerm = null, ignorecase = false;
var FG_NS = "http://github.com/jonhoo/inferno";
var cfg = {};
var frames = [];          // { g, rect, text, x, w, y, name, fill }
var zoomed = null;        // the frame zoomed on, or null

function fg_attr(e, name) {
	var v = e.getAttributeNS(FG_NS, name);
	if (v === null || v === "") v = e.getAttribute("fg:" + name);
	return v;
}

function init(evt) {
	details = document.getElementById("details").firstChild;
	searchbtn = document.getElementById("search");
	ignorecaseBtn = document.getElementById("ignorecase");
	unzoombtn = document.getElementById("unzoom");
	matchedtxt = document.getElementById("matched");
	framesEl = document.getElementById("frames");
	svg = document.documentElement;
	if (svg.tagName.toLowerCase() !== "svg") svg = document.getElementsByTagName("svg")[0]; // inline in HTML
	cfg.nametype = fg_attr(svg, "nametype") || "";
	cfg.fontsize = parseFloat(fg_attr(svg, "fontsize")) || 12;
	cfg.fontwidth = parseFloat(fg_attr(svg, "fontwidth")) || 0.59;
	cfg.xpad = parseFloat(fg_attr(svg, "xpad")) || 10;
	cfg.inverted = fg_attr(svg, "inverted") === "1";
	cfg.searchcolor = fg_attr(svg, "searchcolor") || "rgb(0,162,250)";
	cfg.total = parseFloat(fg_attr(svg, "total")) || 1;
	cfg.width = parseFloat(svg.getAttribute("width")) || 1200;
	cfg.eps = cfg.total * 1e-12;
	var el = framesEl ? framesEl.children : [];
	for (var i = 0; i < el.length; i++) {
		var g = el[i], rect = find_child(g, "rect"), text = find_child(g, "text");
		if (!rect) continue;
		var f = {
			g: g, rect: rect, text: text,
			x: parseFloat(fg_attr(rect, "x")), w: parseFloat(fg_attr(rect, "w")),
			y: parseFloat(rect.getAttribute("y")),
			name: g_to_name(g), fill: rect.getAttribute("fill")
		};
		if (isNaN(f.x) || isNaN(f.w)) continue;
		frames.push(f);
	}
	// Restore the state kept in the URL query.
	var params = get_params();
	if (params.x !== undefined && params.y !== undefined) {
		var t = find_frame(parseFloat(params.x), parseFloat(params.y));
		if (t) zoom(t.g);
	}
	if (params.s) search(params.s);
}

// ---- events
window.addEventListener("click", function (e) {
	var target = find_group(e.target);
	if (target) {
		if (target.nodeName == "a") {
			if (e.ctrlKey === false) return; // follow the link; Ctrl-click zooms
			e.preventDefault();
		}
		zoom(target);
		return;
	}
	if (!e.target || !e.target.id) return;
	if (e.target.id == "unzoom") unzoom();
	else if (e.target.id == "search") search_prompt();
	else if (e.target.id == "ignorecase") toggle_ignorecase();
}, false);

window.addEventListener("mouseover", function (e) {
	var target = find_group(e.target);
	if (target && details) details.nodeValue = cfg.nametype + " " + g_to_text(target);
}, false);

window.addEventListener("mouseout", function (e) {
	var target = find_group(e.target);
	if (target && details) details.nodeValue = " ";
}, false);

window.addEventListener("keydown", function (e) {
	if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) { // F3, Ctrl-F
		e.preventDefault();
		search_prompt();
	} else if (e.ctrlKey && e.keyCode === 73) { // Ctrl-I
		e.preventDefault();
		toggle_ignorecase();
	}
}, false);

// ---- helpers
function get_params() {
	var params = {};
	var parts = window.location.search.substr(1).split("&");
	for (var i = 0; i < parts.length; ++i) {
		var eq = parts[i].indexOf("=");
		if (eq <= 0) continue;
		try {
			params[parts[i].substr(0, eq)] = decodeURIComponent(parts[i].substr(eq + 1));
		} catch (err) { /* a malformed escape: ignore that parameter */ }
	}
	return params;
}
function set_params(params) {
	var uri = "?";
	for (var key in params) {
		if (params.hasOwnProperty(key) && params[key] !== undefined)
			uri += key + "=" + encodeURIComponent(params[key]) + "&";
	}
	uri = uri.slice(0, -1);
	if (uri === "") uri = window.location.href.split("?")[0];
	try { history.replaceState(null, null, uri); } catch (err) { /* e.g. sandboxed */ }
}
function find_child(node, selector) {
	var children = node.querySelectorAll(selector);
	if (children.length) return children[0];
}
function find_group(node) {
	while (node) {
		var parent = node.parentElement || node.parentNode;
		if (!parent || parent.nodeType !== 1) return null;
		if (parent.id == "frames") return node;
		node = parent;
	}
	return null;
}
function frame_of(g) {
	for (var i = 0; i < frames.length; i++)
		if (frames[i].g === g) return frames[i];
	return null;
}
function find_frame(x, y) {
	var best = null;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		if (f.x === x && f.y === y && (!best || f.w > best.w)) best = f;
	}
	return best;
}
function g_to_text(e) {
	var t = find_child(e, "title");
	return t ? t.textContent : "";
}
// The frame's name: its title without the " (N samples, P%)" tail.
function g_to_name(e) {
	return g_to_text(e).replace(/ \([^(]*\)$/, "");
}
function g_to_func(e) {
	return g_to_name(e);
}

// Label fitting by the same character-width estimate the renderer uses
// (no text measuring, so zooming a big graph stays fast).
function update_text(f, width) {
	if (!f.text) return;
	f.text.setAttribute("x", (parseFloat(f.rect.getAttribute("x")) + 3).toFixed(2));
	var chars = Math.floor(width / (cfg.fontsize * cfg.fontwidth));
	var txt = f.name;
	if (chars < 3) {
		f.text.textContent = "";
		return;
	}
	if (txt.length <= chars) {
		f.text.textContent = txt;
		return;
	}
	var cps = Array.from(txt);
	f.text.textContent = cps.length <= chars ? txt : cps.slice(0, chars - 2).join("") + "..";
}

function place(f, x, w) {
	f.rect.setAttribute("x", x.toFixed(1));
	f.rect.setAttribute("width", w.toFixed(1));
	update_text(f, w);
}

// ---- zoom
function zoom(node) {
	var z = frame_of(node);
	if (!z) return;
	var avail = cfg.width - 2 * cfg.xpad;
	var ratio = avail / (z.w > 0 ? z.w : 1);
	var zx = z.x, zend = z.x + z.w, eps = cfg.eps;
	zoomed = z;
	unzoombtn.classList.remove("hide");
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i], cl = f.g.classList;
		cl.remove("parent");
		cl.remove("hide");
		var upstack = cfg.inverted ? f.y < z.y : f.y > z.y;
		if (upstack) {
			// an ancestor spans the zoomed frame: show it full width
			if (f.x <= zx + eps && f.x + f.w + eps >= zend) {
				cl.add("parent");
				place(f, cfg.xpad, avail);
			} else {
				cl.add("hide");
			}
		} else if (f === z || (f.y !== z.y && f.x + eps >= zx && f.x + f.w <= zend + eps && f.w > 0)) {
			place(f, cfg.xpad + (f.x - zx) * ratio, f.w * ratio);
		} else {
			cl.add("hide");
		}
	}
	var params = get_params();
	params.x = String(z.x);
	params.y = String(z.y);
	set_params(params);
	search();
}

function unzoom(dont_update_text) {
	zoomed = null;
	unzoombtn.classList.add("hide");
	var avail = cfg.width - 2 * cfg.xpad, ratio = avail / cfg.total;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		f.g.classList.remove("parent");
		f.g.classList.remove("hide");
		place(f, cfg.xpad + f.x * ratio, f.w * ratio);
	}
	var params = get_params();
	delete params.x;
	delete params.y;
	set_params(params);
	search();
}
function clearzoom() { unzoom(); }

// ---- search
function toggle_ignorecase() {
	ignorecase = !ignorecase;
	if (ignorecase) ignorecaseBtn.classList.add("show");
	else ignorecaseBtn.classList.remove("show");
	reset_search();
	search();
}

function reset_search() {
	for (var i = 0; i < frames.length; i++)
		frames[i].rect.setAttribute("fill", frames[i].fill);
	var params = get_params();
	delete params.s;
	set_params(params);
}

function search_prompt() {
	if (!searching) {
		var term = prompt("Enter a search term (regexp allowed, eg: ^ext4_)" +
			(ignorecase ? ", ignoring case" : "") +
			"\nPress Ctrl-i to toggle case sensitivity", "");
		if (term != null) search(term);
	} else {
		reset_search();
		searching = 0;
		currentSearchTerm = null;
		searchbtn.classList.remove("show");
		searchbtn.firstChild.nodeValue = "Search";
		matchedtxt.classList.add("hide");
		matchedtxt.firstChild.nodeValue = "";
	}
}

function search(term) {
	if (term) currentSearchTerm = term;
	if (currentSearchTerm === null) return;
	var re;
	try {
		re = new RegExp(currentSearchTerm, ignorecase ? "i" : "");
	} catch (err) {
		matchedtxt.classList.remove("hide");
		matchedtxt.firstChild.nodeValue = "Invalid regex";
		return;
	}
	// Range the percentage refers to: the zoomed frame, or everything.
	var lo = zoomed ? zoomed.x : 0, hi = zoomed ? zoomed.x + zoomed.w : cfg.total;
	var spans = [], any = false;
	for (var i = 0; i < frames.length; i++) {
		var f = frames[i];
		f.rect.setAttribute("fill", f.fill);
		if (!re.test(f.name)) continue;
		f.rect.setAttribute("fill", cfg.searchcolor);
		var a = Math.max(f.x, lo), b = Math.min(f.x + f.w, hi);
		if (b > a) spans.push([a, b]);
		any = true;
	}
	var params = get_params();
	if (!any) {
		// Nothing matched: say so (not "Matched: 0%"); a search that was on is off.
		searching = 0;
		searchbtn.classList.remove("show");
		searchbtn.firstChild.nodeValue = "Search";
		delete params.s;
		set_params(params);
		matchedtxt.classList.remove("hide");
		matchedtxt.firstChild.nodeValue = "no matches";
		return;
	}
	searching = 1;
	params.s = currentSearchTerm;
	set_params(params);
	searchbtn.classList.add("show");
	searchbtn.firstChild.nodeValue = "Reset Search";
	// Union of the matched ranges: nested matches are not counted twice.
	spans.sort(function (p, q) { return p[0] - q[0] || q[1] - p[1]; });
	var count = 0, end = -Infinity;
	for (var k = 0; k < spans.length; k++) {
		var s = spans[k];
		if (s[1] <= end) continue;
		count += s[1] - Math.max(s[0], end);
		end = s[1];
	}
	var pct = hi > lo ? 100 * count / (hi - lo) : 0;
	matchedtxt.classList.remove("hide");
	matchedtxt.firstChild.nodeValue = count > 0 ?
		"Matched: " + (pct == 100 ? "100" : pct.toFixed(1)) + "%" :
		"no matches here"; // every match is outside the zoomed frame
}
