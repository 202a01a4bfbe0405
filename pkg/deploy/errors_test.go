package deploy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestRefusalIsShortAndKeepsTheAPIError: a refusal quoting a whole spec is cut to its field
// and the start of its reason, and still unwraps to the API server's error.
func TestRefusalIsShortAndKeepsTheAPIError(t *testing.T) {
	spec := strings.Repeat(`{"AccessModes":["ReadWriteOnce"],"Resources":{}}`, 40)
	apiErr := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "StatefulSet"},
		"directus-postgres", field.ErrorList{field.Forbidden(field.NewPath("spec"),
			"updates to statefulset spec are forbidden: "+spec)})
	ref := ObjectRef{GVR: schema.GroupVersionResource{Group: "apps", Version: "v1",
		Resource: "statefulsets"}, Kind: "StatefulSet", Namespace: "cms", Name: "directus-postgres"}

	err := explain("apply", ref, "", apiErr)

	assert.True(t, apierrors.IsInvalid(err))
	assert.Less(t, len(err.Error()), 600, err.Error())
	assert.Contains(t, err.Error(), `the API server refused statefulset.apps/directus-postgres `+
		`in namespace "cms": spec: Forbidden: updates to statefulset spec are forbidden`)
	assert.Contains(t, err.Error(), "deploy with the options of the first run")
}
