package messages

import "strings"

// Fill returns the text for k with each {placeholder} replaced: pairs are
// placeholder, value, placeholder, value… ("{browser}", "Firefox"). Values
// are inserted as they are; templates escape them when rendering. An odd
// trailing placeholder is ignored.
func Fill(k Key, pairs ...string) string {
	if len(pairs)%2 == 1 {
		pairs = pairs[:len(pairs)-1]
	}
	return strings.NewReplacer(pairs...).Replace(Text(k))
}
