{{/* The chart's name, at most 63 characters as DNS labels must be. */}}
{{- define "proglog.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object of a release: the release's name, with the
chart's after it unless the release's name holds it already.
*/}}
{{- define "proglog.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The headless Service: it gives each pod a stable DNS name. */}}
{{- define "proglog.headless" -}}
{{- printf "%s-headless" (include "proglog.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The domain under which the headless Service names the pods. */}}
{{- define "proglog.podDomain" -}}
{{- printf "%s.%s.svc.%s" (include "proglog.headless" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/*
The Serf address of every pod, comma-separated: a node joins the cluster
through whichever answers, itself included on a new cluster's first pod.
*/}}
{{- define "proglog.joinAddrs" -}}
{{- $addrs := list }}
{{- range $i := until (int .Values.replicas) }}
{{- $addrs = append $addrs (printf "%s-%d.%s:%d" (include "proglog.fullname" $) $i (include "proglog.podDomain" $) (int $.Values.ports.serf)) }}
{{- end }}
{{- join "," $addrs }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "proglog.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "proglog.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the release's pods. */}}
{{- define "proglog.selectorLabels" -}}
app.kubernetes.io/name: {{ include "proglog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
