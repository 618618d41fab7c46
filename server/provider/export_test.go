package provider

// AppleClientSecret is the client secret p would send Apple now.
func AppleClientSecret(p Provider) string {
	s, err := p.(*oidcProvider).appleSecret()
	if err != nil {
		panic(err)
	}
	return s
}
