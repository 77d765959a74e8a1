/**
 * CityHash64 and CityHash128 **v1.0.2**, the variant ClickHouse uses for its SQL function
 * `cityHash64` and for the checksum of compressed frames. Later CityHash releases (1.0.3, 1.1)
 * changed both functions, so generic CityHash libraries give different results.
 *
 * Arithmetic is modulo 2^64 on int32 halves, about 6x faster than BigInt: the setup and
 * finalisation steps work on a small register file (a DataView, so values stay unboxed), and the
 * 64-byte inner loop keeps its state in locals. Each step carries its C++ formula as a comment.
 * Not re-entrant (shared registers), which is fine on one JS thread.
 */

// Register file: register r is 8 bytes at offset 8r, little-endian (low half at 8r, high at 8r+4).
const regs = new DataView(new ArrayBuffer(8 * 32));
// Constants.
const K0 = 0, K1 = 1, K2 = 2, K3 = 3, KMUL = 4;
// Main state of the long-input loops.
const X = 5, Y = 6, Z = 7, VL = 8, VH = 9, WL = 10, WH = 11;
// State of the short-input functions (murmur, lengths up to 64).
const A = 12, B = 13, C = 14, D = 15;
// Temporaries of the algorithm level.
const T = 16, U = 17;
// Private to hashLen16, weakHash32 and hashLen0to16 respectively.
const H1 = 18, H2 = 19, WA = 20, WB = 21, WC = 22, P = 23, Q = 24;
// Result: `first` then `second`, adjacent so the 16 wire bytes are one copy.
const OUT = 25, OUT2 = 26;
// k1 as int32 halves, for the inner loop.
const K1H = 0xb492b66f | 0, K1L = 0xbe98f273 | 0;

regs.setBigUint64(8 * K0, 0xc3a5c85c97cb3127n, true);
regs.setBigUint64(8 * K1, 0xb492b66fbe98f273n, true);
regs.setBigUint64(8 * K2, 0x9ae16a3b2f90404fn, true);
regs.setBigUint64(8 * K3, 0xc949d7c7509e6557n, true);
regs.setBigUint64(8 * KMUL, 0x9ddfea08eb382d69n, true);

/** The input being hashed: set by the exported functions, reset afterwards so it is not retained. */
const empty: DataView = new DataView(new ArrayBuffer(0));
let input = empty;

const lo = (r: number): number => regs.getInt32(8 * r, true);
const hi = (r: number): number => regs.getInt32(8 * r + 4, true);

function put(d: number, h: number, l: number): void {
  regs.setInt32(8 * d, l, true);
  regs.setInt32(8 * d + 4, h, true);
}

/** d = an unsigned integer below 2^53 (a length). */
function setUint(d: number, n: number): void {
  put(d, Math.floor(n / 0x1_0000_0000) | 0, n | 0);
}

function mov(d: number, a: number): void {
  put(d, hi(a), lo(a));
}

function swap(a: number, b: number): void {
  const ah = hi(a), al = lo(a);
  mov(a, b);
  put(b, ah, al);
}

/** d = Fetch64(input + off), little-endian. */
function fetch(d: number, off: number): void {
  put(d, input.getInt32(off + 4, true), input.getInt32(off, true));
}

function add(d: number, a: number, b: number): void {
  const al = lo(a), l = (al + lo(b)) | 0;
  put(d, (hi(a) + hi(b) + ((l >>> 0) < (al >>> 0) ? 1 : 0)) | 0, l);
}

function sub(d: number, a: number, b: number): void {
  const al = lo(a), bl = lo(b);
  put(d, (hi(a) - hi(b) - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0, (al - bl) | 0);
}

function xor(d: number, a: number, b: number): void {
  put(d, hi(a) ^ hi(b), lo(a) ^ lo(b));
}

/** d = a * b mod 2^64: the full 32x32 product of the low halves (in 16-bit limbs) plus the cross terms. */
function mul(d: number, a: number, b: number): void {
  const al = lo(a), bl = lo(b);
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const mid = a1 * b0 + ((a0 * b0) >>> 16);
  const mid2 = a0 * b1 + (mid & 0xffff);
  const carry = a1 * b1 + (mid >>> 16) + (mid2 >>> 16);
  put(d, (carry + Math.imul(hi(a), bl) + Math.imul(al, hi(b))) | 0, Math.imul(al, bl));
}

/** d = Rotate(a, s): rotate right by s, 0 < s < 64. */
function rot(d: number, a: number, s: number): void {
  const h = hi(a), l = lo(a);
  if (s < 32) put(d, (h >>> s) | (l << (32 - s)), (l >>> s) | (h << (32 - s)));
  else if (s === 32) put(d, l, h);
  else put(d, (l >>> (s - 32)) | (h << (64 - s)), (h >>> (s - 32)) | (l << (64 - s)));
}

/** d = ShiftMix(a) = a ^ (a >> 47). */
function shiftMix(d: number, a: number): void {
  const h = hi(a);
  put(d, h, lo(a) ^ (h >>> 15));
}

/** d = HashLen16(u, v) = Hash128to64(uint128(u, v)), the Murmur-inspired mix with kMul. */
function hashLen16(d: number, u: number, v: number): void {
  xor(H1, u, v); mul(H1, H1, KMUL); shiftMix(H1, H1); // a = ShiftMix((u ^ v) * kMul)
  xor(H2, v, H1); mul(H2, H2, KMUL); shiftMix(H2, H2); // b = ShiftMix((v ^ a) * kMul)
  mul(d, H2, KMUL); // return b * kMul
}

/** (df, ds) = WeakHashLen32WithSeeds(Fetch64(s), Fetch64(s+8), Fetch64(s+16), Fetch64(s+24), a, b) */
function weakHash32(df: number, ds: number, off: number, a: number, b: number): void {
  mov(WA, a); mov(WB, b);
  fetch(WC, off); add(WA, WA, WC); // a += w
  fetch(WC, off + 24); add(WB, WB, WA); add(WB, WB, WC); rot(WB, WB, 21); // b = Rotate(b + a + z, 21)
  mov(ds, WA); // c = a (kept in ds)
  fetch(WC, off + 8); add(WA, WA, WC); fetch(WC, off + 16); add(WA, WA, WC); // a += x; a += y
  rot(WC, WA, 44); add(WB, WB, WC); // b += Rotate(a, 44)
  fetch(WC, off + 24); add(df, WA, WC); // first = a + z
  add(ds, WB, ds); // second = b + c
}

/**
 * `n` 64-byte rounds of the inner loop shared by CityHash64 and CityHash128, from `off`:
 *   x = Rotate(x + y + v.first + Fetch64(s + 16), 37) * k1
 *   y = Rotate(y + v.second + Fetch64(s + 48), 42) * k1
 *   x ^= w.second; y ^= v.first; z = Rotate(z ^ w.first, 33)
 *   v = WeakHashLen32WithSeeds(s, v.second * k1, x + w.first)
 *   w = WeakHashLen32WithSeeds(s + 32, z + w.second, y)
 *   std::swap(z, x)
 * This is where long inputs spend their time, so it keeps the state in local int32 pairs (h, l)
 * and spells each 64-bit step out: add with carry, rotate as a half swap plus a 32-bit rotate,
 * multiply by k1 = 0xb492b66f_be98f273 in 16-bit limbs (0xbe98, 0xf273) for the low half product.
 */
function rounds(off: number, n: number): void {
  let xh = hi(X), xl = lo(X), yh = hi(Y), yl = lo(Y), zh = hi(Z), zl = lo(Z);
  let vfh = hi(VL), vfl = lo(VL), vsh = hi(VH), vsl = lo(VH), wfh = hi(WL), wfl = lo(WL), wsh = hi(WH), wsl = lo(WH);
  let t = 0, a0 = 0, a1 = 0, m = 0, m2 = 0, ah = 0, al = 0, bh = 0, bl = 0, ch = 0, cl = 0;
  for (const end = off + 64 * n; off < end; off += 64) {
    const f16l = input.getInt32(off + 16, true), f16h = input.getInt32(off + 20, true);
    const f24l = input.getInt32(off + 24, true), f24h = input.getInt32(off + 28, true);
    const f48l = input.getInt32(off + 48, true), f48h = input.getInt32(off + 52, true);
    const f56l = input.getInt32(off + 56, true), f56h = input.getInt32(off + 60, true);
    // x = Rotate(x + y + v.first + Fetch64(s + 16), 37) * k1
    t = xl; xl = (xl + yl) | 0; xh = (xh + yh + ((xl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = xl; xl = (xl + vfl) | 0; xh = (xh + vfh + ((xl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = xl; xl = (xl + f16l) | 0; xh = (xh + f16h + ((xl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = xh; xh = (xl >>> 5) | (xh << 27); xl = (t >>> 5) | (xl << 27);
    a0 = xl & 0xffff; a1 = xl >>> 16; m = a1 * 0xf273 + ((a0 * 0xf273) >>> 16); m2 = a0 * 0xbe98 + (m & 0xffff);
    xh = (a1 * 0xbe98 + (m >>> 16) + (m2 >>> 16) + Math.imul(xh, K1L) + Math.imul(xl, K1H)) | 0; xl = Math.imul(xl, K1L);
    // y = Rotate(y + v.second + Fetch64(s + 48), 42) * k1
    t = yl; yl = (yl + vsl) | 0; yh = (yh + vsh + ((yl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = yl; yl = (yl + f48l) | 0; yh = (yh + f48h + ((yl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = yh; yh = (yl >>> 10) | (yh << 22); yl = (t >>> 10) | (yl << 22);
    a0 = yl & 0xffff; a1 = yl >>> 16; m = a1 * 0xf273 + ((a0 * 0xf273) >>> 16); m2 = a0 * 0xbe98 + (m & 0xffff);
    yh = (a1 * 0xbe98 + (m >>> 16) + (m2 >>> 16) + Math.imul(yh, K1L) + Math.imul(yl, K1H)) | 0; yl = Math.imul(yl, K1L);
    xh ^= wsh; xl ^= wsl; // x ^= w.second
    yh ^= vfh; yl ^= vfl; // y ^= v.first
    // z = Rotate(z ^ w.first, 33)
    zh ^= wfh; zl ^= wfl; t = zh; zh = (zl >>> 1) | (zh << 31); zl = (t >>> 1) | (zl << 31);
    // v = WeakHashLen32WithSeeds(s, a = v.second * k1, b = x + w.first)
    a0 = vsl & 0xffff; a1 = vsl >>> 16; m = a1 * 0xf273 + ((a0 * 0xf273) >>> 16); m2 = a0 * 0xbe98 + (m & 0xffff);
    ah = (a1 * 0xbe98 + (m >>> 16) + (m2 >>> 16) + Math.imul(vsh, K1L) + Math.imul(vsl, K1H)) | 0; al = Math.imul(vsl, K1L);
    bl = (xl + wfl) | 0; bh = (xh + wfh + ((bl >>> 0) < (xl >>> 0) ? 1 : 0)) | 0;
    t = al; al = (al + input.getInt32(off, true)) | 0; ah = (ah + input.getInt32(off + 4, true) + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bl; bl = (bl + al) | 0; bh = (bh + ah + ((bl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bl; bl = (bl + f24l) | 0; bh = (bh + f24h + ((bl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bh; bh = (bh >>> 21) | (bl << 11); bl = (bl >>> 21) | (t << 11);
    ch = ah; cl = al;
    t = al; al = (al + input.getInt32(off + 8, true)) | 0; ah = (ah + input.getInt32(off + 12, true) + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = al; al = (al + f16l) | 0; ah = (ah + f16h + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bl; bl = (bl + ((ah >>> 12) | (al << 20))) | 0; bh = (bh + ((al >>> 12) | (ah << 20)) + ((bl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    vfl = (al + f24l) | 0; vfh = (ah + f24h + ((vfl >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
    vsl = (bl + cl) | 0; vsh = (bh + ch + ((vsl >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
    // w = WeakHashLen32WithSeeds(s + 32, a = z + w.second, b = y)
    al = (zl + wsl) | 0; ah = (zh + wsh + ((al >>> 0) < (zl >>> 0) ? 1 : 0)) | 0;
    t = al; al = (al + input.getInt32(off + 32, true)) | 0; ah = (ah + input.getInt32(off + 36, true) + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    bl = (yl + al) | 0; bh = (yh + ah + ((bl >>> 0) < (yl >>> 0) ? 1 : 0)) | 0;
    t = bl; bl = (bl + f56l) | 0; bh = (bh + f56h + ((bl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bh; bh = (bh >>> 21) | (bl << 11); bl = (bl >>> 21) | (t << 11);
    ch = ah; cl = al;
    t = al; al = (al + input.getInt32(off + 40, true)) | 0; ah = (ah + input.getInt32(off + 44, true) + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = al; al = (al + f48l) | 0; ah = (ah + f48h + ((al >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    t = bl; bl = (bl + ((ah >>> 12) | (al << 20))) | 0; bh = (bh + ((al >>> 12) | (ah << 20)) + ((bl >>> 0) < (t >>> 0) ? 1 : 0)) | 0;
    wfl = (al + f56l) | 0; wfh = (ah + f56h + ((wfl >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
    wsl = (bl + cl) | 0; wsh = (bh + ch + ((wsl >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
    t = zh; zh = xh; xh = t; t = zl; zl = xl; xl = t; // std::swap(z, x)
  }
  put(X, xh, xl); put(Y, yh, yl); put(Z, zh, zl);
  put(VL, vfh, vfl); put(VH, vsh, vsl); put(WL, wfh, wfl); put(WH, wsh, wsl);
}

/** d = HashLen0to16(s, len). Uses P, Q. */
function hashLen0to16(d: number, off: number, len: number): void {
  if (len > 8) {
    // HashLen16(a, RotateByAtLeast1(b + len, len)) ^ b with a = Fetch64(s), b = Fetch64(s + len - 8)
    fetch(P, off); fetch(Q, off + len - 8); setUint(d, len); add(d, Q, d); rot(d, d, len);
    hashLen16(d, P, d); xor(d, d, Q);
  } else if (len >= 4) {
    // HashLen16(len + (Fetch32(s) << 3), Fetch32(s + len - 4))
    const a = input.getUint32(off, true);
    put(P, a >>> 29, a << 3); setUint(Q, len); add(P, P, Q);
    setUint(Q, input.getUint32(off + len - 4, true)); hashLen16(d, P, Q);
  } else if (len > 0) {
    // ShiftMix(y * k2 ^ z * k3) * k2 with y = s[0] + (s[len/2] << 8), z = len + (s[len-1] << 2)
    setUint(P, input.getUint8(off) + (input.getUint8(off + (len >> 1)) << 8)); mul(P, P, K2);
    setUint(Q, len + (input.getUint8(off + len - 1) << 2)); mul(Q, Q, K3);
    xor(P, P, Q); shiftMix(P, P); mul(d, P, K2);
  } else {
    mov(d, K2);
  }
}

/** d = HashLen17to32(s, len) (CityHash64 only). */
function hashLen17to32(d: number, off: number, len: number): void {
  fetch(A, off); mul(A, A, K1); // a = Fetch64(s) * k1
  fetch(B, off + 8); // b = Fetch64(s + 8)
  fetch(C, off + len - 8); mul(C, C, K2); // c = Fetch64(s + len - 8) * k2
  fetch(D, off + len - 16); mul(D, D, K0); // d = Fetch64(s + len - 16) * k0
  // HashLen16(Rotate(a - b, 43) + Rotate(c, 30) + d, a + Rotate(b ^ k3, 20) - c + len)
  sub(T, A, B); rot(T, T, 43); rot(U, C, 30); add(T, T, U); add(T, T, D);
  xor(U, B, K3); rot(U, U, 20); add(U, A, U); sub(U, U, C); setUint(D, len); add(U, U, D);
  hashLen16(d, T, U);
}

/**
 * The half of HashLen33to64 applied twice, with `a` preloaded in A:
 * z = Fetch64(zOff); b = Rotate(a + z, 52); c = Rotate(a, 37); a += Fetch64(o1); c += Rotate(a, 7);
 * a += Fetch64(o2); first = a + z; second = b + Rotate(a, 31) + c.
 */
function mix33to64(first: number, second: number, zOff: number, o1: number, o2: number): void {
  fetch(Z, zOff);
  add(B, A, Z); rot(B, B, 52);
  rot(C, A, 37);
  fetch(T, o1); add(A, A, T); rot(T, A, 7); add(C, C, T);
  fetch(T, o2); add(A, A, T);
  add(first, A, Z);
  rot(T, A, 31); add(second, B, T); add(second, second, C);
}

/** d = HashLen33to64(s, len) (CityHash64 only). */
function hashLen33to64(d: number, off: number, len: number): void {
  // a = Fetch64(s) + (len + Fetch64(s + len - 16)) * k0, z = Fetch64(s + 24)
  fetch(T, off + len - 16); setUint(A, len); add(A, A, T); mul(A, A, K0); fetch(T, off); add(A, A, T);
  mix33to64(VL, VH, off + 24, off + 8, off + 16); // vf, vs
  // a = Fetch64(s + 16) + Fetch64(s + len - 32), z = Fetch64(s + len - 8)
  fetch(A, off + 16); fetch(T, off + len - 32); add(A, A, T);
  mix33to64(WL, WH, off + len - 8, off + len - 24, off + len - 16); // wf, ws
  // r = ShiftMix((vf + ws) * k2 + (wf + vs) * k0); return ShiftMix(r * k0 + vs) * k2
  add(T, VL, WH); mul(T, T, K2); add(U, WL, VH); mul(U, U, K0); add(T, T, U); shiftMix(T, T);
  mul(T, T, K0); add(T, T, VH); shiftMix(T, T); mul(d, T, K2);
}

/** OUT = CityHash64(input[0..len)). */
function city64(len: number): void {
  if (len <= 16) return hashLen0to16(OUT, 0, len);
  if (len <= 32) return hashLen17to32(OUT, 0, len);
  if (len <= 64) return hashLen33to64(OUT, 0, len);
  fetch(X, 0); // x = Fetch64(s)
  fetch(Y, len - 16); xor(Y, Y, K1); // y = Fetch64(s + len - 16) ^ k1
  fetch(Z, len - 56); xor(Z, Z, K0); // z = Fetch64(s + len - 56) ^ k0
  setUint(T, len); weakHash32(VL, VH, len - 64, T, Y); // v = WeakHashLen32WithSeeds(s + len - 64, len, y)
  mul(T, T, K1); weakHash32(WL, WH, len - 32, T, K0); // w = WeakHashLen32WithSeeds(s + len - 32, len * k1, k0)
  shiftMix(T, VH); mul(T, T, K1); add(Z, Z, T); // z += ShiftMix(v.second) * k1
  add(X, Z, X); rot(X, X, 39); mul(X, X, K1); // x = Rotate(z + x, 39) * k1
  rot(Y, Y, 33); mul(Y, Y, K1); // y = Rotate(y, 33) * k1
  rounds(0, Math.floor((len - 1) / 64)); // len = (len - 1) & ~63, then 64 bytes per round
  // HashLen16(HashLen16(v.first, w.first) + ShiftMix(y) * k1 + z, HashLen16(v.second, w.second) + x)
  hashLen16(T, VL, WL); shiftMix(U, Y); mul(U, U, K1); add(T, T, U); add(T, T, Z);
  hashLen16(U, VH, WH); add(U, U, X);
  hashLen16(OUT, T, U);
}

/** (OUT, OUT2) = CityMurmur(s, len, seed (A, B)). */
function cityMurmur(off: number, len: number): void {
  if (len <= 16) {
    mul(A, A, K1); shiftMix(A, A); mul(A, A, K1); // a = ShiftMix(a * k1) * k1
    hashLen0to16(T, off, len); mul(C, B, K1); add(C, C, T); // c = b * k1 + HashLen0to16(s, len)
    if (len >= 8) fetch(T, off); else mov(T, C);
    add(D, A, T); shiftMix(D, D); // d = ShiftMix(a + (len >= 8 ? Fetch64(s) : c))
  } else {
    fetch(T, off + len - 8); add(T, T, K1); hashLen16(C, T, A); // c = HashLen16(Fetch64(s + len - 8) + k1, a)
    // d = HashLen16(b + len, c + Fetch64(s + len - 16))
    setUint(T, len); add(T, B, T); fetch(U, off + len - 16); add(U, C, U); hashLen16(D, T, U);
    add(A, A, D); // a += d
    for (let l = len - 16, s = off; l > 0; l -= 16, s += 16) {
      fetch(T, s); mul(T, T, K1); shiftMix(T, T); mul(T, T, K1); xor(A, A, T); // a ^= ShiftMix(Fetch64(s) * k1) * k1
      mul(A, A, K1); xor(B, B, A); // a *= k1; b ^= a
      fetch(T, s + 8); mul(T, T, K1); shiftMix(T, T); mul(T, T, K1); xor(C, C, T); // c ^= ShiftMix(Fetch64(s + 8) * k1) * k1
      mul(C, C, K1); xor(D, D, C); // c *= k1; d ^= c
    }
  }
  hashLen16(A, A, C); hashLen16(B, D, B); // a = HashLen16(a, c); b = HashLen16(d, b)
  xor(OUT, A, B); hashLen16(OUT2, B, A); // uint128(a ^ b, HashLen16(b, a))
}

/** (OUT, OUT2) = CityHash128WithSeed(s, len, seed (A, B)). */
function city128WithSeed(off: number, len: number): void {
  if (len < 128) return cityMurmur(off, len);
  mov(X, A); mov(Y, B); setUint(Z, len); mul(Z, Z, K1); // x = seed.first, y = seed.second, z = len * k1
  xor(VL, Y, K1); rot(VL, VL, 49); mul(VL, VL, K1); fetch(T, off); add(VL, VL, T); // v.first = Rotate(y ^ k1, 49) * k1 + Fetch64(s)
  rot(VH, VL, 42); mul(VH, VH, K1); fetch(T, off + 8); add(VH, VH, T); // v.second = Rotate(v.first, 42) * k1 + Fetch64(s + 8)
  add(WL, Y, Z); rot(WL, WL, 35); mul(WL, WL, K1); add(WL, WL, X); // w.first = Rotate(y + z, 35) * k1 + x
  fetch(T, off + 88); add(WH, X, T); rot(WH, WH, 53); mul(WH, WH, K1); // w.second = Rotate(x + Fetch64(s + 88), 53) * k1
  const blocks = Math.floor(len / 128); // do { two rounds; s += 128; len -= 128 } while (len >= 128)
  rounds(off, 2 * blocks);
  off += 128 * blocks; len -= 128 * blocks;
  rot(T, WL, 37); mul(T, T, K0); add(T, T, Z); add(Y, Y, T); // y += Rotate(w.first, 37) * k0 + z
  add(T, VL, Z); rot(T, T, 49); mul(T, T, K0); add(X, X, T); // x += Rotate(v.first + z, 49) * k0
  // Hash up to 4 chunks of 32 bytes each from the end of s (reaching back into consumed bytes).
  for (let done = 32; done < len + 32; done += 32) {
    sub(T, Y, X); rot(T, T, 42); mul(T, T, K0); add(Y, T, VH); // y = Rotate(y - x, 42) * k0 + v.second
    fetch(T, off + len - done + 16); add(WL, WL, T); // w.first += Fetch64(s + len - tail_done + 16)
    rot(T, X, 49); mul(T, T, K0); add(X, T, WL); // x = Rotate(x, 49) * k0 + w.first
    add(WL, WL, VL); // w.first += v.first
    weakHash32(VL, VH, off + len - done, VL, VH); // v = WeakHashLen32WithSeeds(s + len - tail_done, v.first, v.second)
  }
  hashLen16(X, X, VL); hashLen16(Y, Y, WL); // x = HashLen16(x, v.first); y = HashLen16(y, w.first)
  add(T, X, VH); hashLen16(OUT, T, WH); add(OUT, OUT, Y); // first = HashLen16(x + v.second, w.second) + y
  add(T, X, WH); add(U, Y, VH); hashLen16(OUT2, T, U); // second = HashLen16(x + w.second, y + v.second)
}

/**
 * CityHash128 v1.0.2 of `data`, as the 16 checksum bytes of a compressed frame in wire order:
 * `first` (low 64 bits) little-endian, then `second` (high 64 bits) little-endian.
 */
export function cityHash128(data: Uint8Array): Uint8Array {
  input = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.byteLength;
  if (len >= 16) {
    fetch(A, 0); xor(A, A, K3); fetch(B, 8); // seed = (Fetch64(s) ^ k3, Fetch64(s + 8))
    city128WithSeed(16, len - 16);
  } else if (len >= 8) {
    setUint(T, len); mul(T, T, K0); fetch(A, 0); xor(A, A, T); // seed.first = Fetch64(s) ^ (len * k0)
    fetch(B, len - 8); xor(B, B, K1); // seed.second = Fetch64(s + len - 8) ^ k1
    city128WithSeed(0, 0);
  } else {
    mov(A, K0); mov(B, K1);
    city128WithSeed(0, len);
  }
  input = empty;
  return new Uint8Array(regs.buffer.slice(8 * OUT, 8 * OUT + 16));
}

/** CityHash64 v1.0.2 of `data`, equal to ClickHouse's `cityHash64(<String>)`. */
export function cityHash64(data: Uint8Array): bigint {
  input = new DataView(data.buffer, data.byteOffset, data.byteLength);
  city64(data.byteLength);
  input = empty;
  return regs.getBigUint64(8 * OUT, true);
}
