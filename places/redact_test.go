package places

import "testing"

// The redaction keys of every front end: DingTalk's credentials and robot
// session, OSS pre-signed URL parts, and anything naming a secret.
func TestQueryRedaction(t *testing.T) {
	for _, k := range []string{"access_token", "sign", "timestamp", "session", "Signature", "OSSAccessKeyId",
		"security-token", "x-oss-signature", "x-oss-credential", "code", "key", "appsecret", "client_secret", "password"} {
		if !SecretQueryKey(k) {
			t.Errorf("%q is not treated as a secret", k)
		}
	}
	for _, k := range []string{"type", "name", "page", "agent_id"} {
		if SecretQueryKey(k) {
			t.Errorf("%q treated as a secret", k)
		}
	}
	got := RedactQuery("type=file&session=abc&Signature=x%2By&OSSAccessKeyId=LTAI5&security-token=tok&name=a.txt")
	want := "type=file&session=REDACTED&Signature=REDACTED&OSSAccessKeyId=REDACTED&security-token=REDACTED&name=a.txt"
	if got != want {
		t.Errorf("RedactQuery = %q, want %q", got, want)
	}
	if got := HideQueryValues("type=file&A123456=3"); got != "type=REDACTED&REDACTED=REDACTED" {
		t.Errorf("HideQueryValues = %q", got)
	}
}
