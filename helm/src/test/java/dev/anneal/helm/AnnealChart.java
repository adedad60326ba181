package dev.anneal.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** The helm/anneal chart in this checkout, rendered by the real Helm library bundled with helm-java. */
final class AnnealChart {

    static final String RELEASE = "anneal";
    static final String NAMESPACE = "training";
    /** helm template otherwise assumes Kubernetes 1.20, older than the chart's kubeVersion (gRPC probes: 1.27). */
    static final String KUBE_VERSION = "1.31.0";

    private AnnealChart() {}

    static Path repoDir() {
        String dir = System.getProperty("anneal.repo.dir");
        if (dir == null) {
            throw new IllegalStateException("system property anneal.repo.dir is not set (surefire sets it to the checkout)");
        }
        return Paths.get(dir).toAbsolutePath().normalize();
    }

    static Path chartDir() {
        Path chart = repoDir().resolve("helm/anneal");
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new IllegalStateException("no Chart.yaml in " + chart);
        }
        return chart;
    }

    static Path gpuValues() {
        return chartDir().resolve("values-gpu.yaml");
    }

    /** helm template with the chart's own values plus the given files and --set pairs, in {@link #NAMESPACE}. */
    static Manifests render(Map<String, Object> sets, Path... valuesFiles) {
        TemplateCommand template = new Helm(chartDir()).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return Manifests.parse(template.call());
    }

    static Manifests render(Path... valuesFiles) {
        return render(Map.of(), valuesFiles);
    }
}
