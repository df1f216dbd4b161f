package app

// routes is the one list of every route the application serves, so a reader can see the whole
// surface, and its guards, in one place.
func (s *Server) routes() {
	r := s.fiber

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Use("/static", staticFiles())

	r.Get("/", s.landing)

	// Anything else is a 404 rendered by the central error handler.
	r.Use(notFound)
}
