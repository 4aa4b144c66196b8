package esindex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// maxIDBytes is Elasticsearch's limit on a document id.
const maxIDBytes = 512

// apiError is an error response from Elasticsearch.
type apiError struct {
	Status int
	Type   string // e.g. "resource_already_exists_exception"; "" when the body did not say
	Reason string
}

func (e *apiError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("elasticsearch answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Reason)
	}
	return fmt.Sprintf("elasticsearch answered %d %s: %s: %s", e.Status, http.StatusText(e.Status), e.Type, e.Reason)
}

// do sends req and decodes a successful answer's JSON into out (which may
// be nil); an error answer becomes an *apiError.
func (s *Store) do(ctx context.Context, req esapi.Request, out any) error {
	res, err := req.Do(ctx, s.es)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		return decodeError(res)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("decode elasticsearch answer: %w", err)
	}
	return nil
}

// decodeError reads an error answer, which is {"error": {...}} or, for a
// missing alias, {"error": "text"}, or has no body at all.
func decodeError(res *esapi.Response) error {
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	e := &apiError{Status: res.StatusCode}
	var shape struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &shape) == nil && len(shape.Error) > 0 {
		var obj struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(shape.Error, &obj) == nil {
			e.Type, e.Reason = obj.Type, obj.Reason
		} else {
			_ = json.Unmarshal(shape.Error, &e.Reason)
		}
	} else {
		e.Reason = string(bytes.TrimSpace(body))
	}
	return e
}

// Get returns the ad stored under id, or search.ErrNotFound. It reads in
// real time: an ad is there as soon as the Put that stored it returned.
// The id travels in the request body (_mget), so no id can be read as part
// of a URL path.
func (s *Store) Get(ctx context.Context, id string) (ad.Scored, error) {
	if id == "" || len(id) > maxIDBytes { // no such id can be stored
		return ad.Scored{}, search.ErrNotFound
	}
	body := mustJSON(obj{"ids": []string{id}})
	var res struct {
		Docs []struct {
			Found  bool            `json:"found"`
			Source json.RawMessage `json:"_source"`
			Error  *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"error"`
		} `json:"docs"`
	}
	if err := s.do(ctx, esapi.MgetRequest{Index: s.alias, Body: bytes.NewReader(body)}, &res); err != nil {
		return ad.Scored{}, fmt.Errorf("get ad %q: %w", id, err)
	}
	if len(res.Docs) != 1 {
		return ad.Scored{}, fmt.Errorf("get ad %q: elasticsearch answered %d documents for one id", id, len(res.Docs))
	}
	d := res.Docs[0]
	switch {
	case d.Error != nil:
		return ad.Scored{}, fmt.Errorf("get ad %q: %s: %s", id, d.Error.Type, d.Error.Reason)
	case !d.Found:
		return ad.Scored{}, search.ErrNotFound
	}
	return decodeSource(id, d.Source)
}

func decodeSource(id string, src json.RawMessage) (ad.Scored, error) {
	if len(src) == 0 {
		return ad.Scored{}, fmt.Errorf("document %q has no _source", id)
	}
	var s ad.Scored
	if err := json.Unmarshal(src, &s); err != nil {
		return ad.Scored{}, fmt.Errorf("decode stored ad %q: %w", id, err)
	}
	return s, nil
}
