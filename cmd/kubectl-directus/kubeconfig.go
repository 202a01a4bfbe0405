package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
)

// offline names the commands that never read the kubeconfig.
func offline(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "version", "help", "completion", cobra.ShellCompRequestCmd,
			cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

// checkKubeconfig turns an unreadable kubeconfig or a context it does not have into one line
// naming the file or the context, and the fix, before any verb reads it. A kubeconfig with no
// context at all is let through: inside a pod the in-cluster configuration applies.
func checkKubeconfig(flags *genericclioptions.ConfigFlags) error {
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return fmt.Errorf("reading the kubeconfig: %w (fix the file, or point --kubeconfig or "+
			"KUBECONFIG at another)", err)
	}

	name := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		name = *flags.Context
	}
	if name == "" {
		return nil
	}
	if _, ok := raw.Contexts[name]; !ok {
		return fmt.Errorf("context %q is not in the kubeconfig %s (list the contexts with "+
			"`kubectl config get-contexts`, or pass another with --context)", name,
			kubeconfigFiles(loader))
	}
	return nil
}

// kubeconfigFiles names the files the kubeconfig was merged from.
func kubeconfigFiles(loader clientcmd.ClientConfig) string {
	access := loader.ConfigAccess()
	if access == nil {
		return "in use"
	}
	if file := access.GetExplicitFile(); file != "" {
		return file
	}
	return strings.Join(access.GetLoadingPrecedence(), ":")
}
