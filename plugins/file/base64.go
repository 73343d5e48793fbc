package file

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// encodedLen is the length of the padded standard base64 of n bytes.
func encodedLen(n int) int { return (n + 2) / 3 * 4 }

// encodeInPlace writes the padded standard base64 of b[src:src+n] to b at
// dst and returns the end of what it wrote. The regions may overlap as long
// as src-dst >= (n+2)/3: each group's 4 output bytes then never reach
// source bytes not yet read. That lets a read land directly in the buffer
// that becomes the JSON result.
func encodeInPlace(b []byte, dst, src, n int) int {
	full := n - n%3
	s, d := src, dst
	for end := src + full; s < end; s, d = s+3, d+4 {
		in := b[s : s+3 : s+3]
		v := uint(in[0])<<16 | uint(in[1])<<8 | uint(in[2])
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = b64Alphabet[v&0x3f]
	}
	switch n - full {
	case 1:
		v := uint(b[s]) << 16
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2], out[3] = '=', '='
		d += 4
	case 2:
		v := uint(b[s])<<16 | uint(b[s+1])<<8
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = '='
		d += 4
	}
	return d
}
