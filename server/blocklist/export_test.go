package blocklist

import "strings"

// Entries returns every password on the list, in order.
func Entries(l *List) []string {
	return strings.Split(strings.TrimSuffix(l.blob, "\n"), "\n")
}
