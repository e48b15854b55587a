package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hms/server/internal/apptest"
)

// With GOOGLE_MAPS_API_KEY the nearby map's tiles are Google's: the server makes a Map Tiles API
// session (here from a stand-in for tile.googleapis.com) and hands the tile template, which holds the
// key, to signed-in callers only. A Google that refuses hides the map; it never breaks the page.
func TestHospitalMapTilesFromGoogle(t *testing.T) {
	t.Parallel()
	var sessions, refuse atomic.Int32
	google := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/createSession" || r.URL.Query().Get("key") != "AIzaTEST" || refuse.Load() == 1 {
			http.Error(w, `{"error":{"code":403}}`, http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"session":"sess%d","expiry":"%d"}`, sessions.Add(1), time.Now().Add(14*24*time.Hour).Unix())
	}))
	defer google.Close()
	env := apptest.New(t, apptest.WithEnv("GOOGLE_MAPS_API_KEY", "AIzaTEST"), apptest.WithEnv("GOOGLE_MAP_TILES_URL", google.URL))
	type hospital struct {
		Tiles       string `json:"map_tile_url"`
		Attribution string `json:"map_attribution"`
	}
	var h hospital
	env.Get("/api/hospital", "").Want(t, 200).Decode(t, &h)
	if h.Tiles != "" || h.Attribution != "" || sessions.Load() != 0 {
		t.Fatalf("an anonymous caller got the map (%+v, %d sessions)", h, sessions.Load())
	}
	patient := env.NewUser("patient")
	env.Get("/api/hospital", patient.Token).Want(t, 200).Decode(t, &h)
	want := google.URL + "/v1/2dtiles/{z}/{x}/{y}?key=AIzaTEST&session=sess1"
	if h.Tiles != want || !strings.Contains(h.Attribution, "Google") {
		t.Fatalf("signed in: %+v, want %s with Google's attribution", h, want)
	}
	env.Get("/api/hospital", patient.Token).Want(t, 200).Decode(t, &h)
	if sessions.Load() != 1 {
		t.Errorf("%d sessions made for two requests, want one kept", sessions.Load())
	}
	env.Get("/api/hospital", "not-a-token").Want(t, 401)
}

func TestHospitalMapTilesRefusedKeyHidesTheMap(t *testing.T) {
	t.Parallel()
	google := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"code":403,"message":"API key not valid"}}`, http.StatusForbidden)
	}))
	defer google.Close()
	env := apptest.New(t, apptest.WithEnv("GOOGLE_MAPS_API_KEY", "bad"), apptest.WithEnv("GOOGLE_MAP_TILES_URL", google.URL))
	var h struct {
		Tiles string `json:"map_tile_url"`
		Name  string `json:"name"`
	}
	env.Get("/api/hospital", env.NewUser("staff").Token).Want(t, 200).Decode(t, &h)
	if h.Tiles != "" || h.Name == "" {
		t.Fatalf("got %+v, want the hospital without a map", h)
	}
}
