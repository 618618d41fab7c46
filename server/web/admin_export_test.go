package web

// AdminRoutes lists the admin console's routes ("METHOD /path") the last
// Handler or AdminHandler registered, for the permission tests.
func (s *Server) AdminRoutes() []string { return append([]string(nil), s.adminRouted...) }
