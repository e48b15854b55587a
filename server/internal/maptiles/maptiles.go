// Package maptiles says which map tiles the nearby-hospitals map shows: a fixed tile template
// (MAP_TILE_URL), or Google Maps through Google's Map Tiles API when GOOGLE_MAPS_API_KEY is set.
//
// Google's 2D tiles need a session token, made by POST /v1/createSession and valid for about two
// weeks; the tile template carries it and the key:
// {base}/v1/2dtiles/{z}/{x}/{y}?session=…&key=… (https://developers.google.com/maps/documentation/tile/2d-tiles-overview).
// Google makes a session here on first use and again an hour before it expires. While Google cannot
// make one, the screens get no tile template and show the list without a map, and it is tried again a
// minute later: the map is hidden, never broken.
package maptiles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tiles is what a screen needs to draw the map: the tile template with {z}, {x} and {y}, and the
// attribution to show on it. A zero Tiles means no map.
type Tiles struct {
	URL         string
	Attribution string
}

// Source gives the tiles to show now.
type Source interface {
	Current(ctx context.Context) Tiles
}

// Static is a fixed tile template (MAP_TILE_URL); an empty one means no map.
type Static string

// Current implements Source.
func (s Static) Current(context.Context) Tiles {
	if s == "" {
		return Tiles{}
	}
	host := strings.Split(string(s), "/")
	return Tiles{URL: string(s), Attribution: "Map tiles: " + host[min(2, len(host)-1)]}
}

// GoogleDefaultBase is Google's Map Tiles API.
const GoogleDefaultBase = "https://tile.googleapis.com"

// Google gives Google Maps road-map tiles through the Map Tiles API.
type Google struct {
	base, key        string
	language, region string
	client           *http.Client
	now              func() time.Time
	log              *slog.Logger

	mu      sync.Mutex
	session string
	expiry  time.Time
	retryAt time.Time
}

// NewGoogle returns a Google source for the API at base (GoogleDefaultBase, or a stand-in in tests)
// with the API key, asking for labels in the hospital's locale ("en-GB": language en-GB, region GB).
func NewGoogle(base, key, locale string, now func() time.Time, log *slog.Logger) *Google {
	region := "US"
	if _, r, ok := strings.Cut(locale, "-"); ok && len(r) == 2 {
		region = strings.ToUpper(r)
	}
	return &Google{base: strings.TrimRight(base, "/"), key: key, language: locale, region: region,
		client: &http.Client{Timeout: 10 * time.Second}, now: now, log: log}
}

// Current implements Source: the tiles of a valid session, made or renewed first when needed.
func (g *Google) Current(ctx context.Context) Tiles {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if g.session == "" || !now.Before(g.expiry.Add(-time.Hour)) {
		if !now.Before(g.retryAt) {
			if err := g.renew(ctx); err != nil {
				g.retryAt = now.Add(time.Minute)
				g.log.Warn("Google Map Tiles: could not make a session; the map is hidden until it can", "err", err)
			}
		}
	}
	if g.session == "" || !now.Before(g.expiry) {
		return Tiles{}
	}
	q := url.Values{"session": {g.session}, "key": {g.key}}
	return Tiles{URL: g.base + "/v1/2dtiles/{z}/{x}/{y}?" + q.Encode(), Attribution: "Map data © Google"}
}

// renew makes a new session (POST /v1/createSession).
func (g *Google) renew(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"mapType": "roadmap", "language": g.language, "region": g.region})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/v1/createSession?key="+url.QueryEscape(g.key), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := g.client.Do(req)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), url.QueryEscape(g.key), "***") // the key is in the URL
		return errors.New(strings.ReplaceAll(msg, g.key, "***"))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("createSession answered %d: %s", res.StatusCode, strings.TrimSpace(string(raw[:min(len(raw), 300)])))
	}
	var s struct {
		Session string `json:"session"`
		Expiry  string `json:"expiry"`
	}
	if err := json.Unmarshal(raw, &s); err != nil || s.Session == "" {
		return fmt.Errorf("createSession answered no session: %.300s", raw)
	}
	secs, err := strconv.ParseInt(s.Expiry, 10, 64)
	if err != nil {
		return fmt.Errorf("createSession answered an expiry %q that is not seconds since 1970", s.Expiry)
	}
	g.session, g.expiry = s.Session, time.Unix(secs, 0)
	return nil
}
