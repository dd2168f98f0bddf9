import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * Loads each file given with the OWL API (a fresh manager per file) and runs the OWL 2 DL
 * profile checker. Prints, per file: "file: NAME", "format: …", "axioms: N", one
 * "unparsed: …" line per RDF triple the parser could not map to an axiom, one
 * "violation: …" line per OWL 2 DL violation, then "OWL 2 DL: yes|no".
 */
public class OwlDlCheck {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            OWLDocumentFormat format = manager.getOntologyFormat(ontology);
            System.out.println("file: " + new File(path).getName());
            System.out.println("format: " + format.getKey());
            System.out.println("axioms: " + ontology.getAxiomCount());
            format.getOntologyLoaderMetaData().ifPresent(meta -> {
                if (meta instanceof RDFParserMetaData) {
                    ((RDFParserMetaData) meta).getUnparsedTriples()
                        .forEach(t -> System.out.println("unparsed: " + t));
                }
            });
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation v : report.getViolations()) {
                System.out.println("violation: " + v);
            }
            System.out.println("OWL 2 DL: " + (report.isInProfile() ? "yes" : "no"));
        }
    }
}
