package templates

// This file stands in for what a generated package declares itself: the
// services that Client embeds. It is not emitted.

// Services are the API's operations grouped by resource; a generated
// package declares one field per service.
type Services struct{}

// initServices points every service at its client.
func (c *Client) initServices() {}
