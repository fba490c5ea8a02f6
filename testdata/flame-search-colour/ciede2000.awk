# CIEDE2000 colour difference (Sharma, Wu, Dalal 2005) between sRGB colours,
# D65. Reads lines "r g b" (the frame fills) with -v ref="r g b" (the search
# colour); prints the smallest difference, to one decimal, and the fill at it.
function lin(x) { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ^ 2.4 }
function f(t) { return t > 216 / 24389 ? t ^ (1 / 3) : (24389 / 27 * t + 16) / 116 }
function lab(r, g, b, o,   X, Y, Z) {
	r = lin(r); g = lin(g); b = lin(b)
	X = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
	Y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
	Z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
	o[1] = 116 * f(Y) - 16; o[2] = 500 * (f(X) - f(Y)); o[3] = 200 * (f(Y) - f(Z))
}
function deg(x) { return x * 180 / PI }
function rad(x) { return x * PI / 180 }
function hue(b, a,   h) { if (a == 0 && b == 0) return 0; h = deg(atan2(b, a)); return h < 0 ? h + 360 : h }
function de2000(p, q,   C1, C2, Cm, G, a1, a2, C1p, C2p, h1, h2, dL, dC, dh, dH, Lm, Cpm, hm, T, dth, Rc, SL, SC, SH, RT) {
	C1 = sqrt(p[2] ^ 2 + p[3] ^ 2); C2 = sqrt(q[2] ^ 2 + q[3] ^ 2); Cm = (C1 + C2) / 2
	G = 0.5 * (1 - sqrt(Cm ^ 7 / (Cm ^ 7 + 25 ^ 7)))
	a1 = (1 + G) * p[2]; a2 = (1 + G) * q[2]
	C1p = sqrt(a1 ^ 2 + p[3] ^ 2); C2p = sqrt(a2 ^ 2 + q[3] ^ 2)
	h1 = hue(p[3], a1); h2 = hue(q[3], a2)
	dL = q[1] - p[1]; dC = C2p - C1p
	if (C1p * C2p == 0) dh = 0
	else { dh = h2 - h1; if (dh > 180) dh -= 360; else if (dh < -180) dh += 360 }
	dH = 2 * sqrt(C1p * C2p) * sin(rad(dh) / 2)
	Lm = (p[1] + q[1]) / 2; Cpm = (C1p + C2p) / 2
	if (C1p * C2p == 0) hm = h1 + h2
	else if (h1 - h2 <= 180 && h2 - h1 <= 180) hm = (h1 + h2) / 2
	else if (h1 + h2 < 360) hm = (h1 + h2 + 360) / 2
	else hm = (h1 + h2 - 360) / 2
	T = 1 - 0.17 * cos(rad(hm - 30)) + 0.24 * cos(rad(2 * hm)) + 0.32 * cos(rad(3 * hm + 6)) - 0.20 * cos(rad(4 * hm - 63))
	dth = 30 * exp(-(((hm - 275) / 25) ^ 2))
	Rc = 2 * sqrt(Cpm ^ 7 / (Cpm ^ 7 + 25 ^ 7))
	SL = 1 + 0.015 * (Lm - 50) ^ 2 / sqrt(20 + (Lm - 50) ^ 2); SC = 1 + 0.045 * Cpm; SH = 1 + 0.015 * Cpm * T
	RT = -sin(rad(2 * dth)) * Rc
	return sqrt((dL / SL) ^ 2 + (dC / SC) ^ 2 + (dH / SH) ^ 2 + RT * (dC / SC) * (dH / SH))
}
BEGIN { PI = atan2(0, -1); split(ref, c, " "); lab(c[1], c[2], c[3], R); min = -1 }
NF == 3 { lab($1, $2, $3, P); d = de2000(R, P); if (min < 0 || d < min) { min = d; at = $1 "," $2 "," $3 } }
END { printf "%.1f rgb(%s)\n", min, at }
