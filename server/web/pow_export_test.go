package web

import "net/http"

// BotCheckOf runs the handlers' bot check (botCheck) on r, for the tests
// of package web_test.
func (s *Server) BotCheckOf(r *http.Request) BotCheck { return s.botCheck(r) }
