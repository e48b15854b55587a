package httpx

import (
	"context"
	"log/slog"
)

// RequestIDLog wraps h so that every record logged with a request's context carries that request's ID
// (from idOf) as request_id, unless the record names one itself: a service's warning in the middle of a
// request can then be found with the request's access-log line.
func RequestIDLog(h slog.Handler, idOf func(context.Context) string) slog.Handler {
	return requestIDHandler{h, idOf}
}

type requestIDHandler struct {
	slog.Handler
	idOf func(context.Context) string
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		return h.Handler.Handle(ctx, r)
	}
	id := h.idOf(ctx)
	if id == "" {
		return h.Handler.Handle(ctx, r)
	}
	named := false
	r.Attrs(func(a slog.Attr) bool {
		named = a.Key == "request_id"
		return !named
	})
	if !named {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs), h.idOf}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name), h.idOf}
}
