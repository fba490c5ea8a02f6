#!/usr/bin/env node
// cdp_flame.js - drive a flame graph SVG in headless Chromium and check its
// interactive behaviour (flamegraph.pl's DOM/JS contract).
//
// Speaks the Chrome DevTools Protocol over --remote-debugging-pipe (fd 3 =
// commands to Chromium, fd 4 = replies/events, NUL-delimited JSON), so it
// needs nothing but Node.js (>= 16) and a Chromium binary. Mouse and keyboard
// input are real browser input events (Input.dispatchMouseEvent /
// Input.dispatchKeyEvent); window.prompt() is a real JavaScript dialog that
// is answered through Page.handleJavaScriptDialog.
//
// usage: node cdp_flame.js --svg FILE --chromium PATH --profile DIR
//                          [--pgid-file FILE] [--timeout SECONDS] [--verbose]
// exit: 0 all checks passed, 1 a check failed or something broke.
//
// The expected values below belong to flame_small.folded (next to this file).
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');
const cdp = require('./cdp_session');
const { near, sleep } = cdp;

// ---------------------------------------------------------------- options
const opt = cdp.parseArgs('cdp_flame', process.argv.slice(2), {
	values: { '--svg': 'svg', '--search-fill': 'searchFill' },
	flags: { '--no-matches': 'noMatches' },
});
if (!opt.svg || !opt.chromium || !opt.profile)
	cdp.die('cdp_flame', 'usage: cdp_flame.js --svg FILE --chromium PATH --profile DIR [--pgid-file F] [--timeout S]\n' +
	    '       [--search-fill "rgb(R, G, B)"] [--no-matches] [--verbose]');

// ---------------------------------------------------------------- expectations
// The fill of search matches: flamegraph.pl's unless --search-fill names the
// renderer's (wasmperf-flame's fg:searchcolor). --no-matches: a search that
// matches nothing must say "no matches" in #matched (wasmperf-flame does).
const SEARCH_FILL = opt.searchFill || 'rgb(230, 0, 230)';
// flamegraph.pl matches the search regex against the whole <title> text
// ("b (30 samples, 30.00%)"), so a "$"-anchored term like ^(b|c)$ finds
// nothing there; "( |$)" works whether a renderer matches the bare name or
// the title text.
const TERM_BC = '^(b|c)( |$)';
const TERM_B_UPPER = '^B( |$)';
const XSS1 = '<script>window.__pwned=1</script>';
const XSS2 = '<image href="x" onerror="window.__pwned=2"/>';
const AMP = 'a&b "q" \'r\'';
// name -> samples (root "all" is flamegraph.pl's synthetic root frame)
const EXPECT = new Map([
	['all', 100], ['main', 100], ['a', 50], ['b', 30], ['c', 20], ['d', 50],
	[XSS1, 10], [XSS2, 5], [AMP, 10],
]);

// ---------------------------------------------------------------- chromium
const chromium = cdp.startChromium(Object.assign({ name: 'cdp_flame' }, opt));
const { send, waitEvent, evaluate, settle, mouseMove, mouseClick, check, log, vlog } = chromium;

// ---------------------------------------------------------------- page session
let S; // session id of the page
const pageErrors = [];
const dialogs = []; // {type, message, answer}
let promptAnswer = null;

// Call a page-side helper (installed as window.__wpt) with JSON arguments.
const H = (fn, ...args) => evaluate(`window.__wpt.${fn}(${args.map(a => JSON.stringify(a)).join(',')})`);

// Page-side helpers. Frames are found by the name in their <title>
// ("name (N samples, P%)"), positions by getBoundingClientRect, so the checks
// do not depend on how the renderer lays out or labels its frames.
const PAGE_HELPERS = `
window.__wpt = (function () {
	var TITLE_RE = /^([\\s\\S]*) \\(([\\d,.]+) samples?, ([\\d.]+)%\\)$/;
	function frameEls() {
		var f = document.getElementById('frames');
		if (!f) return [];
		return Array.prototype.filter.call(f.children, function (e) { return e.querySelector('title'); });
	}
	function parseTitle(g) {
		var t = g.querySelector('title').textContent;
		var m = TITLE_RE.exec(t);
		return m ? { name: m[1], samples: Number(m[2].replace(/,/g, '')), pct: Number(m[3]), title: t }
		         : { name: t, samples: NaN, pct: NaN, title: t };
	}
	function byName(name) {
		var hits = frameEls().filter(function (g) { return parseTitle(g).name === name; });
		if (hits.length !== 1) throw new Error('expected exactly one frame named ' + JSON.stringify(name) + ', found ' + hits.length);
		return hits[0];
	}
	function visible(el) {
		if (!el || !el.isConnected) return false;
		for (var e = el; e && e.nodeType === 1; e = e.parentNode) {
			var cs = getComputedStyle(e);
			if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
		}
		var r = el.getBoundingClientRect();
		return r.width > 0 && r.height > 0;
	}
	// Elements made out of a frame name: anything under #frames that a frame
	// never needs, or anywhere an element whose script text or attribute
	// carries the payload marker.
	function injected() {
		var bad = Array.prototype.slice.call(document.querySelectorAll(
			'#frames script, #frames image, #frames foreignObject, #frames iframe'));
		Array.prototype.forEach.call(document.getElementsByTagName('*'), function (e) {
			if (e.localName === 'script' && e.textContent.indexOf('__pwned') >= 0) bad.push(e);
			for (var i = 0; i < e.attributes.length; i++)
				if (e.attributes[i].value.indexOf('__pwned') >= 0) bad.push(e);
		});
		return bad.map(function (e) { return e.localName + (e.parentNode && e.parentNode.id ? ' in #' + e.parentNode.id : ''); });
	}
	function box(el) { var r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; }
	function frame(name) {
		var g = byName(name), rect = g.querySelector('rect'), text = g.querySelector('text');
		var p = parseTitle(g);
		return {
			name: p.name, samples: p.samples, pct: p.pct, title: p.title,
			tag: g.tagName, classes: Array.prototype.slice.call(g.classList),
			hidden: g.classList.contains('hide') || !visible(rect),
			rect: rect ? box(rect) : null,
			fill: rect ? getComputedStyle(rect).fill.replace(/\\s+/g, ' ') : null,
			label: text ? text.textContent : null,
		};
	}
	function el(id) {
		var e = document.getElementById(id);
		if (!e) return null;
		var cs = getComputedStyle(e);
		return { text: e.textContent, visible: visible(e), classes: e.getAttribute('class') || '',
		         opacity: cs.opacity, box: box(e) };
	}
	// A point inside the element that really hits it (elementFromPoint), so a
	// real mouse event lands on it; null if none of a few candidates does.
	function hitPoint(e) {
		var r = e.getBoundingClientRect();
		var cands = [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.1, 0.5], [0.9, 0.5]];
		for (var i = 0; i < cands.length; i++) {
			var x = r.x + r.width * cands[i][0], y = r.y + r.height * cands[i][1];
			var h = document.elementFromPoint(x, y);
			if (h && (h === e || e.contains(h))) return { x: x, y: y };
		}
		return null;
	}
	return {
		state: function () {
			return {
				root: document.documentElement ? document.documentElement.localName : null,
				ns: document.documentElement ? document.documentElement.namespaceURI : null,
				parsererror: document.getElementsByTagName('parsererror').length,
				names: frameEls().map(function (g) { return parseTitle(g).name; }),
				tags: frameEls().map(function (g) { return g.tagName; }),
				frameChildren: document.getElementById('frames') ? document.getElementById('frames').children.length : -1,
				injected: injected(),
				pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
				search: location.search, href: location.href,
				ids: ['title', 'details', 'unzoom', 'search', 'ignorecase', 'matched', 'frames']
					.filter(function (id) { return !document.getElementById(id); }),
				fns: ['zoom', 'unzoom', 'search_prompt', 'search', 'reset_search', 'toggle_ignorecase']
					.filter(function (f) { return typeof window[f] !== 'function'; }),
			};
		},
		frame: frame,
		frames: function () { return frameEls().map(function (g) { return frame(parseTitle(g).name); }); },
		el: el,
		pointOfFrame: function (name) { var g = byName(name); return hitPoint(g.querySelector('rect')) || hitPoint(g); },
		pointOfId: function (id) { return hitPoint(document.getElementById(id)); },
		hitAt: function (x, y) {
			var h = document.elementFromPoint(x, y);
			return h ? (h.id || h.tagName) : null;
		},
	};
})();
true;
`;

// ---------------------------------------------------------------- input
async function clickFrame(name) {
	const p = await H('pointOfFrame', name);
	if (!p) throw new Error(`frame ${name} has no clickable point (covered or not rendered)`);
	await mouseClick(p.x, p.y);
}
async function clickId(id) {
	const p = await H('pointOfId', id);
	if (!p) throw new Error(`#${id} has no clickable point (hidden, covered or empty)`);
	await mouseClick(p.x, p.y);
}
const KEYS = {
	Control: { key: 'Control', code: 'ControlLeft', vk: 17 },
	f: { key: 'f', code: 'KeyF', vk: 70 },
	i: { key: 'i', code: 'KeyI', vk: 73 },
	F3: { key: 'F3', code: 'F3', vk: 114 },
};
async function key(type, k, modifiers) {
	await send('Input.dispatchKeyEvent', {
		type, modifiers, key: k.key, code: k.code,
		windowsVirtualKeyCode: k.vk, nativeVirtualKeyCode: k.vk,
	}, S);
}
async function press(name, ctrl) {
	if (ctrl) await key('rawKeyDown', KEYS.Control, 2);
	await key('rawKeyDown', KEYS[name], ctrl ? 2 : 0);
	await key('keyUp', KEYS[name], ctrl ? 2 : 0);
	if (ctrl) await key('keyUp', KEYS.Control, 0);
}
// Open the search prompt with a key and answer it with `term`.
async function searchByKey(keyName, ctrl, term) {
	const before = dialogs.length;
	promptAnswer = term;
	await press(keyName, ctrl);
	for (let i = 0; i < 50 && dialogs.length === before; i++) await sleep(20);
	promptAnswer = null;
	const d = dialogs[before];
	check(d && d.type === 'prompt', `${ctrl ? 'Ctrl-' : ''}${keyName.length === 1 ? keyName.toUpperCase() : keyName} opens a window.prompt() dialog`,
		d ? d : 'no dialog');
	await settle();
}
// #ignorecase's look with the mouse parked elsewhere (it may light up on :hover).
async function icState() {
	await mouseMove(2, 2);
	await settle();
	return H('el', 'ignorecase');
}
// ---------------------------------------------------------------- the test
const pageUrl = pathToFileURL(path.resolve(opt.svg)).href;
// (Re)load the SVG: every step starts from a fresh page, so one broken
// feature does not cascade into the checks of the next.
async function load(href) {
	const loaded = waitEvent('Page.loadEventFired', m => m.sessionId === S);
	const nav = await send('Page.navigate', { url: href }, S);
	if (nav.errorText) throw new Error(`cannot load ${href}: ${nav.errorText}`);
	await loaded;
	await evaluate(PAGE_HELPERS);
	await mouseMove(2, 2);
	await settle();
}
async function step(title, fn) {
	log('-- ' + title);
	try {
		await load(pageUrl);
		await fn();
	} catch (e) {
		check(false, `step "${title}" could not finish`, e && e.message ? e.message : String(e));
	}
}

async function main() {
	const version = await send('Browser.getVersion');
	log('browser:', version.product);

	S = await chromium.openPage(m => {
		if (m.method === 'Runtime.exceptionThrown') {
			const d = m.params.exceptionDetails;
			pageErrors.push('exception: ' + ((d.exception && d.exception.description) || d.text) +
				(d.url ? ` at ${path.basename(d.url.split('?')[0])}:${d.lineNumber + 1}` : ''));
		} else if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
			pageErrors.push('console.' + m.params.type + ': ' + m.params.args.map(a => a.value !== undefined ? a.value : a.description).join(' '));
		} else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
			pageErrors.push('log: ' + m.params.entry.text);
		} else if (m.method === 'Page.javascriptDialogOpening') {
			const p = m.params;
			const answer = p.type === 'prompt' ? promptAnswer : null;
			dialogs.push({ type: p.type, message: p.message, answer });
			vlog(`dialog ${p.type} ${JSON.stringify(p.message)} -> ${JSON.stringify(answer)}`);
			// Cancel anything we did not expect (alert() from injected script, or a prompt we did not ask for)
			send('Page.handleJavaScriptDialog', answer === null ? { accept: false }
				: { accept: true, promptText: answer }, chromium.page()).catch(e => log('dialog handling failed:', e.message));
		}
	});
	await send('Emulation.setFocusEmulationEnabled', { enabled: true }, S).catch(() => {});

	await load(pageUrl);
	log('loaded', pageUrl);

	// ---- 1. loaded: frames, names as text, nothing injected
	log('-- 1. load');
	const st = await H('state');
	check(st.root === 'svg' && st.ns === 'http://www.w3.org/2000/svg' && st.parsererror === 0,
		'document is a well-formed SVG (no XML parse error)', st);
	check(st.ids.length === 0, 'elements #title #details #unzoom #search #ignorecase #matched #frames exist', { missing: st.ids });
	check(st.fns.length === 0, 'JS functions zoom unzoom search_prompt search reset_search toggle_ignorecase exist', { missing: st.fns });
	check(st.names.length === EXPECT.size && st.frameChildren === EXPECT.size,
		`#frames holds ${EXPECT.size} frames`, { framesWithTitle: st.names.length, children: st.frameChildren, names: st.names });
	check(st.tags.every(t => t === 'g'), 'every frame is a <g>', st.tags);
	const missing = [...EXPECT.keys()].filter(n => !st.names.includes(n));
	check(missing.length === 0, 'frame titles carry the exact names, hostile ones as plain text', { missing, got: st.names });
	check(st.injected.length === 0, 'no <script>/<image>/<foreignObject> element was created from a frame name', st.injected);
	check(st.pwned === null, 'window.__pwned is undefined after load (no injected script ran)', st.pwned);

	const frames0 = {};
	for (const f of await H('frames')) frames0[f.name] = f;
	for (const [name, samples] of EXPECT) {
		const f = frames0[name];
		if (!f) continue;
		const ok = f.samples === samples && f.rect && f.rect.w > 0 && !f.hidden;
		check(ok, `frame ${JSON.stringify(name)}: ${samples} samples, visible rect`, f);
	}
	const root0 = frames0.all || frames0.main;
	if (root0 && frames0.a) {
		check(near(frames0.a.rect.w, root0.rect.w * 0.5, 1.5), 'a is half as wide as the root', { a: frames0.a.rect.w, root: root0.rect.w });
		check(near(frames0.b.rect.w, root0.rect.w * 0.3, 1.5), 'b is 30% of the root width', { b: frames0.b.rect.w, root: root0.rect.w });
		check(frames0.b.rect.y < frames0.a.rect.y && frames0.a.rect.y < frames0.main.rect.y,
			'children are drawn above their parents (b above a above main)', { b: frames0.b.rect, a: frames0.a.rect, main: frames0.main.rect });
	}
	for (const name of [XSS1, XSS2, AMP]) {
		const f = frames0[name];
		if (!f) continue;
		const lab = (f.label || '').replace(/\.\.$/, '');
		check(name.startsWith(lab), `label of ${JSON.stringify(name)} is (a prefix of) the raw name`, f.label);
	}
	const orig = {};
	for (const f of Object.values(frames0)) orig[f.name] = f.fill;
	if (st.parsererror || st.ids.length || missing.length || st.names.length !== EXPECT.size)
		throw new Error('the SVG does not have the expected structure; interaction steps not run');
	let zoomedHref = null, searchedHref = null;

	await step('2. hover', async () => {
		for (const name of ['b', XSS1, XSS2, AMP]) {
			const p = await H('pointOfFrame', name);
			if (!check(p, `frame ${JSON.stringify(name)} can be hit by the mouse`)) continue;
			await mouseMove(p.x, p.y);
			await settle();
			const det = await H('el', 'details');
			check(det && det.text.includes(frames0[name].title), `hover ${JSON.stringify(name)}: #details shows its title text`,
				{ details: det && det.text, want: frames0[name].title });
		}
		await mouseMove(2, 2); // off every frame
		await settle();
		{
			const det = await H('el', 'details');
			check(det && !det.text.includes('samples'), 'mouse out: #details is cleared', det && det.text);
		}
		const stH = await H('state');
		check(stH.pwned === null && stH.injected.length === 0,
			'after hovering the hostile frames: window.__pwned undefined, no element made from a name', stH);

	});

	await step('3. zoom (click a), then Reset Zoom (click #unzoom)', async () => {
		const unz0 = await H('el', 'unzoom');
		check(unz0 && !unz0.visible, '#unzoom is hidden before zooming', unz0);
		await clickFrame('a');
		await settle();
		const z = {};
		for (const f of await H('frames')) z[f.name] = f;
		const rootZ = z.all || z.main;
		check(near(z.a.rect.w, rootZ.rect.w, 1.5) && near(z.a.rect.x, rootZ.rect.x, 1.5),
			'a becomes full width (same x and width as the root)', { a: z.a.rect, root: rootZ.rect });
		check(z.d.hidden, 'd is hidden', z.d);
		check([XSS1, XSS2, AMP].every(n => z[n].hidden), "d's children are hidden",
			[XSS1, XSS2, AMP].map(n => ({ name: n, hidden: z[n].hidden, classes: z[n].classes })));
		check(z.main.classes.includes('parent'), 'main gets class "parent"', z.main.classes);
		if (z.all) check(z.all.classes.includes('parent'), 'all (root) gets class "parent"', z.all.classes);
		check(!z.a.classes.includes('parent') && !z.a.hidden, 'a itself is neither parent nor hidden', z.a);
		check(!z.b.hidden && !z.c.hidden && near(z.b.rect.w, rootZ.rect.w * 0.6, 1.5) && near(z.c.rect.w, rootZ.rect.w * 0.4, 1.5),
			'descendants widen: b = 60%, c = 40% of the width', { b: z.b.rect, c: z.c.rect, root: rootZ.rect.w });
		const unz1 = await H('el', 'unzoom');
		check(unz1 && unz1.visible, '#unzoom ("Reset Zoom") becomes visible', unz1);
		const stZ = await H('state');
		check(/[?&]x=/.test(stZ.search) && /[?&]y=/.test(stZ.search), 'URL query contains x= and y=', stZ.search);
		if (/[?&]x=/.test(stZ.search)) zoomedHref = stZ.href;

		log('-- 4. reset zoom (click #unzoom)');
		await clickId('unzoom');
		await settle();
		const u = {};
		for (const f of await H('frames')) u[f.name] = f;
		check(!u.d.hidden, 'd is visible again', u.d);
		check(near(u.a.rect.w, frames0.a.rect.w, 1) && near(u.a.rect.x, frames0.a.rect.x, 1),
			'a is back to its original position and width', { now: u.a.rect, before: frames0.a.rect });
		check(Object.values(u).every(f => !f.hidden && !f.classes.includes('parent') && !f.classes.includes('hide')),
			'no frame is hidden or "parent" any more', Object.values(u).filter(f => f.hidden || f.classes.length).map(f => [f.name, f.classes]));
		const unz2 = await H('el', 'unzoom');
		check(unz2 && !unz2.visible, '#unzoom is hidden again', unz2);
		const stU = await H('state');
		check(!/[?&][xy]=/.test(stU.search), 'URL query no longer has x= / y=', stU.search);

	});

	await step(`5. search (Ctrl-F, prompt answered ${TERM_BC}), then Reset Search (click #search)`, async () => {
		const srch0 = await H('el', 'search');
		check(srch0 && srch0.text.trim() === 'Search', '#search says "Search" before searching', srch0 && srch0.text);
		await searchByKey('f', true, TERM_BC);
		const s = {};
		for (const f of await H('frames')) s[f.name] = f;
		check(s.b.fill === SEARCH_FILL && s.c.fill === SEARCH_FILL, `b and c are filled ${SEARCH_FILL}`, { b: s.b.fill, c: s.c.fill });
		const wrong = Object.values(s).filter(f => f.name !== 'b' && f.name !== 'c' && f.fill === SEARCH_FILL).map(f => f.name);
		check(wrong.length === 0, 'no other frame is highlighted', wrong);
		const m1 = await H('el', 'matched');
		check(m1 && m1.visible && /^Matched: 50(\.0+)?%$/.test(m1.text.trim()), '#matched says "Matched: 50%" (50.0% accepted)', m1);
		const stS = await H('state');
		check(/[?&]s=/.test(stS.search), 'URL query contains s=', stS.search);
		const srch1 = await H('el', 'search');
		check(srch1 && srch1.text.trim() === 'Reset Search', '#search now says "Reset Search"', srch1 && srch1.text);
		if (/[?&]s=/.test(stS.search)) searchedHref = stS.href;

		log('-- 5b. reset search (click #search)');
		const nd = dialogs.length;
		await clickId('search');
		await settle();
		check(dialogs.length === nd, 'clicking "Reset Search" does not prompt', dialogs.slice(nd));
		const r = {};
		for (const f of await H('frames')) r[f.name] = f;
		const notRestored = Object.values(r).filter(f => f.fill !== orig[f.name]).map(f => ({ name: f.name, fill: f.fill, was: orig[f.name] }));
		check(notRestored.length === 0, 'every fill is restored to its original colour', notRestored);
		const m2 = await H('el', 'matched');
		check(m2 && (!m2.visible || m2.text.trim() === ''), '#matched is hidden/empty', m2);
		const srch2 = await H('el', 'search');
		check(srch2 && srch2.text.trim() === 'Search', '#search says "Search" again', srch2 && srch2.text);
		check(!/[?&]s=/.test((await H('state')).search), 'URL query no longer has s=', (await H('state')).search);

	});

	await step('6. ignore case (click #ignorecase, F3 / Ctrl-F search ^B)', async () => {
		await searchByKey('F3', false, TERM_B_UPPER);
		let f6 = await H('frame', 'b');
		check(f6.fill !== SEARCH_FILL, `F3 search ${TERM_B_UPPER} is case-sensitive by default: b not matched`, f6.fill);
		if (opt.noMatches) {
			const m0 = await H('el', 'matched');
			check(m0 && m0.visible && m0.text.trim() === 'no matches', '#matched says "no matches"', m0);
			const none = (await H('frames')).filter(f => f.fill === SEARCH_FILL).map(f => f.name);
			check(none.length === 0, 'no frame is highlighted', none);
			const sb = await H('el', 'search');
			check(sb && sb.text.trim() === 'Search', '#search still says "Search" (nothing to reset)', sb && sb.text);
			check(!/[?&]s=/.test((await H('state')).search), 'URL query has no s=', (await H('state')).search);
		}
		{ // a search that matched nothing may or may not leave "Reset Search" up; clear it if so
			const sb = await H('el', 'search');
			if (sb.text.trim() === 'Reset Search') { await clickId('search'); await settle(); }
		}
		const ic0 = await icState();
		await clickId('ignorecase');
		await settle();
		const ic1 = await icState();
		check(ic1 && (ic1.classes !== ic0.classes || ic1.opacity !== ic0.opacity),
			'clicking #ignorecase visibly toggles it (class or opacity changes)', { before: ic0, after: ic1 });
		{ // toggling may re-run the remembered term (flamegraph.pl does); start from a clean search
			const sb = await H('el', 'search');
			if (sb.text.trim() === 'Reset Search') { await clickId('search'); await settle(); }
		}
		await searchByKey('f', true, TERM_B_UPPER);
		const i1 = {};
		for (const f of await H('frames')) i1[f.name] = f;
		check(i1.b.fill === SEARCH_FILL, `with ic on, ${TERM_B_UPPER} matches b`, i1.b.fill);
		check(Object.values(i1).filter(f => f.fill === SEARCH_FILL).length === 1, 'b is the only highlighted frame',
			Object.values(i1).filter(f => f.fill === SEARCH_FILL).map(f => f.name));
		const m3 = await H('el', 'matched');
		check(m3 && /^Matched: 30(\.0+)?%$/.test(m3.text.trim()), '#matched says "Matched: 30%"', m3 && m3.text);

		log('-- 6b. Ctrl-I toggles ignore case back off');
		await press('i', true);
		await settle();
		const ic2 = await icState();
		check(ic2 && ic2.classes === ic0.classes && ic2.opacity === ic0.opacity, 'Ctrl-I turns ic off again', { initial: ic0, now: ic2 });
		{
			const sb = await H('el', 'search');
			if (sb.text.trim() === 'Reset Search') { await clickId('search'); await settle(); }
		}
		await searchByKey('F3', false, TERM_B_UPPER);
		f6 = await H('frame', 'b');
		check(f6.fill !== SEARCH_FILL, `with ic off, ${TERM_B_UPPER} no longer matches b`, f6.fill);

	});

	await step('7. zoom/search state restored from the URL', async () => {
		for (const [what, href] of [['zoom', zoomedHref], ['search', searchedHref]]) {
			if (!href) { log(`skip restoring ${what}: no ${what} state reached the URL (see above)`); continue; }
			await load(href);
			const g = {};
			for (const f of await H('frames')) g[f.name] = f;
			const rt = g.all || g.main;
			if (what === 'zoom')
				check(near(g.a.rect.w, rt.rect.w, 1.5) && g.d.hidden, 'loading the zoomed URL restores the zoom on a', { href, a: g.a.rect, d: g.d.hidden });
			else
				check(g.b.fill === SEARCH_FILL && g.c.fill === SEARCH_FILL, 'loading the searched URL restores the search', { href, b: g.b.fill, c: g.c.fill });
		}

	});

	// ---- final
	const stEnd = await H('state');
	check(stEnd.pwned === null, 'window.__pwned is still undefined at the end', stEnd.pwned);
	const alerts = dialogs.filter(d => d.type !== 'prompt');
	check(alerts.length === 0, 'no alert/confirm dialog was opened', alerts);
	check(pageErrors.length === 0, 'no JavaScript exception or console error in the page', pageErrors);
}

main().then(() => {
	const { passes, failures } = chromium.counts();
	log(`${passes} checks passed, ${failures} failed`);
	return chromium.shutdown(failures ? 1 : 0);
}, e => {
	const { passes, failures } = chromium.counts();
	log('FAIL', e && e.stack ? e.stack : e);
	if (pageErrors.length) log('page errors:', pageErrors.join('\n  '));
	log(`${passes} checks passed, ${failures + 1} failed`);
	return chromium.shutdown(1);
});
