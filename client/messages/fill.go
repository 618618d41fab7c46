package messages

import "strings"

// Fill returns the text for k with each {placeholder} replaced: pairs are
// placeholder, value, placeholder, value… ("{browser}", "Firefox"). Values
// are inserted as they are; templates escape them when rendering. An odd
// trailing placeholder is ignored.
//
// The text is scanned once, left to right, so a value is never searched
// for placeholders itself: an email address holding "{code}" stays as
// typed. At each position the first matching placeholder in pairs wins.
func Fill(k Key, pairs ...string) string {
	return fill(Text(k), pairs)
}

func fill(text string, pairs []string) string {
	if len(pairs)%2 == 1 {
		pairs = pairs[:len(pairs)-1]
	}
	var b strings.Builder
	start := 0 // text[start:i] is copied as is
	for i := 0; i < len(text); {
		matched := false
		for p := 0; p < len(pairs); p += 2 {
			if ph := pairs[p]; ph != "" && strings.HasPrefix(text[i:], ph) {
				if b.Len() == 0 {
					b.Grow(len(text) + len(pairs[p+1]))
				}
				b.WriteString(text[start:i])
				b.WriteString(pairs[p+1])
				i += len(ph)
				start, matched = i, true
				break
			}
		}
		if !matched {
			i++
		}
	}
	if start == 0 {
		return text
	}
	b.WriteString(text[start:])
	return b.String()
}
