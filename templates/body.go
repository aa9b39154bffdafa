package templates

// This file encodes request bodies (JSON, form, multipart) and decodes
// success and error bodies.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strings"
)

// paramFormBody encodes v, a struct or map, as an
// application/x-www-form-urlencoded body: style form, explode, so lists
// repeat their key and nested objects are sent as key[sub]=value.
func paramFormBody(v any) ([]byte, error) {
	n, err := paramParse(v)
	if err != nil {
		return nil, fmt.Errorf("form body: %w", err)
	}
	if n.kind != paramObject {
		if n.kind == paramNull {
			return []byte{}, nil
		}
		return nil, errors.New("form body: not an object")
	}
	q := url.Values{}
	for i, k := range n.keys {
		paramDeep(q, k, n.vals[i])
	}
	return []byte(q.Encode()), nil
}

// paramMultipartBody encodes v, a struct or map, as a multipart/form-data
// body with one text part per property (lists repeat the part; []byte
// properties are sent base64-encoded, as in JSON) and returns the body and
// its content type.
func paramMultipartBody(v any) ([]byte, string, error) {
	n, err := paramParse(v)
	if err != nil {
		return nil, "", fmt.Errorf("multipart body: %w", err)
	}
	if n.kind != paramObject && n.kind != paramNull {
		return nil, "", errors.New("multipart body: not an object")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, k := range n.keys {
		vals := []paramNode{n.vals[i]}
		if n.vals[i].kind == paramList {
			vals = n.vals[i].items
		}
		for _, val := range vals {
			if err := w.WriteField(k, val.text()); err != nil {
				return nil, "", fmt.Errorf("multipart body: %w", err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("multipart body: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// paramJSONBody encodes a JSON request body.
func paramJSONBody(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	return data, nil
}

// paramDecode decodes a JSON success body into out. An empty body leaves out
// at its zero value, since some servers answer 200 with no content.
func paramDecode(opID string, body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decoding response: %w", opID, err)
	}
	return nil
}

// paramErrorValue fills in the Value of the *APIError in err, if any, by
// decoding its body into the value that newValue returns for the status (a
// pointer to the declared error type, or nil when the document declares
// none). A body that does not match leaves Value nil; Body keeps the bytes.
func paramErrorValue(err error, newValue func(status int) any) error {
	ae := ResponseOf(err)
	if ae == nil || ae.Value != nil || len(ae.Body) == 0 {
		return err
	}
	v := newValue(ae.StatusCode)
	if v == nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(ae.Body))
	if dec.Decode(v) == nil {
		if _, extra := dec.Token(); extra == io.EOF {
			ae.Value = v
		}
	}
	return err
}

// paramDecodeBase64 decodes a success body that the document declares as
// base64 text (format: byte) outside JSON. Line breaks (MIME style) and
// missing padding are accepted, and so is the URL-safe alphabet.
func paramDecodeBase64(opID string, body []byte) ([]byte, error) {
	text := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, string(body))
	text = strings.TrimRight(text, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(text, "-_") {
		enc = base64.RawURLEncoding
	}
	out, err := enc.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%s: decoding base64 response: %w", opID, err)
	}
	return out, nil
}
