package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// options are the flags of the book, race and invoice modes.
type options struct {
	url, adminEmail, adminPassword string
	clients, requests              int
	duration                       time.Duration
	doctors, days, slotMinutes     int
	open, close                    string
	patients, racers, invoices     int
	as                             string
}

// client sends JSON requests to the server over one shared connection pool.
type client struct {
	base string
	hc   *http.Client
}

func newClient(base string, conns int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns+16, conns+16
	return &client{base: base, hc: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// send does one request and returns the status and body; err is a transport failure only.
func (c *client) send(method, path, token string, body any) (int, []byte, error) {
	return c.sendKeyed(method, path, token, "", body)
}

// sendKeyed is send with an Idempotency-Key header, when key is not empty.
func (c *client) sendKeyed(method, path, token, key string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// call is send for set-up steps: any status but want is an error with the server's answer.
func (c *client) call(method, path, token string, body, out any, want int) error {
	status, data, err := c.send(method, path, token, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, status, want, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}
