import java.io.File;
import javax.xml.parsers.DocumentBuilderFactory;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Loads every file given into ONE OWL API manager, as Protégé's "open" then "import" or
 * ROBOT's "merge -i a -i b" do, resolving owl:imports only through the XML catalogue
 * (catalog-v001.xml) beside the first file, as Protégé and ROBOT read it; a missing import
 * is an error. Prints, per file: "file: NAME", "id: IRI VERSION-IRI", one "imports: IRI" per
 * import declaration and one "closure: IRI VERSION-IRI" per ontology of its imports closure.
 */
public class OwlTogetherCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getOntologyConfigurator()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.THROW_EXCEPTION);
        File folder = new File(args[0]).getAbsoluteFile().getParentFile();
        File catalogue = new File(folder, "catalog-v001.xml");
        NodeList rows = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(catalogue).getElementsByTagName("uri");
        for (int i = 0; i < rows.getLength(); i++) {
            Element row = (Element) rows.item(i);
            File target = new File(folder, row.getAttribute("uri"));
            manager.getIRIMappers().add(new SimpleIRIMapper(
                IRI.create(row.getAttribute("name")), IRI.create(target)));
        }
        for (String path : args) {
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            System.out.println("file: " + new File(path).getName());
            System.out.println("id: " + name(ontology));
            ontology.importsDeclarations()
                .forEach(d -> System.out.println("imports: " + d.getIRI()));
            ontology.importsClosure()
                .forEach(o -> System.out.println("closure: " + name(o)));
        }
    }

    private static String name(OWLOntology ontology) {
        return ontology.getOntologyID().getOntologyIRI().map(IRI::toString).orElse("-") + " "
            + ontology.getOntologyID().getVersionIRI().map(IRI::toString).orElse("-");
    }
}
