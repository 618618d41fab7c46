package web

// AdminRoutes lists the admin console's routes ("METHOD /path") the last
// Handler or AdminHandler registered, for the permission tests.
func (s *Server) AdminRoutes() []string { return append([]string(nil), s.adminRouted...) }

// Routes lists every route ("METHOD /path") of the site's own mux the
// last Handler or AdminHandler registered, for the tests that must reach
// every page.
func (s *Server) Routes() []string { return append([]string(nil), s.routed...) }
