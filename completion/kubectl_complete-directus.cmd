@echo off
rem kubectl runs this file to complete the arguments of "kubectl directus".
rem Put it in a directory on PATH, next to kubectl-directus.exe.
kubectl-directus.exe __complete %*
