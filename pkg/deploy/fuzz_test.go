package deploy

import (
	"bytes"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// FuzzRenderStrings feeds arbitrary image references, URLs and e-mail addresses through the
// templates: whatever Validate accepts must render, and reach the objects unchanged (no
// value may break out of its YAML string).
func FuzzRenderStrings(f *testing.F) {
	f.Add("directus/directus:12.2.0", "https://cms.example.com", "admin@example.com")
	f.Add("localhost:5000/a/b:1@sha256:"+hex64(), "http://x/\"\n- y", "a\nb: c")
	f.Add("x:1", "{{ .Name }}://", "'; DROP")
	secret, err := NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{5}, 1024)))
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, image, publicURL, email string) {
		opts := DefaultOptions("cms")
		opts.Image, opts.PublicURL, opts.AdminEmail = image, publicURL, email
		if opts.Validate() != nil {
			return
		}
		objs, err := Render(opts, secret)
		if err != nil {
			t.Fatalf("valid options failed to render: %v", err)
		}

		var d appsv1.Deployment
		var job batchv1.Job
		for _, obj := range objs {
			switch {
			case obj.GetKind() == "Deployment" && obj.GetName() == "directus-directus":
				err = runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &d)
			case obj.GetKind() == "Job":
				err = runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &job)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		wantURL := publicURL
		if wantURL == "" { // the Service's in-cluster address stands in
			wantURL = "http://" + NamesFor(opts.Name, image).Directus + "." + opts.Namespace + ".svc"
		}
		c := d.Spec.Template.Spec.Containers[0]
		if c.Image != image || envOf(c.Env, "PUBLIC_URL") != wantURL {
			t.Fatalf("values changed on the way: image %q, url %q", c.Image,
				envOf(c.Env, "PUBLIC_URL"))
		}
		if got := envOf(job.Spec.Template.Spec.Containers[0].Env, "ADMIN_EMAIL"); got != email {
			t.Fatalf("ADMIN_EMAIL %q, want %q", got, email)
		}
	})
}
