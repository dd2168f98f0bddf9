// Runs Jena's own `tdb2.tdbquery` command once per query inside one JVM, so that a test
// matrix pays for one Java start-up instead of one per query. Each query runs with exactly the
// arguments a user types (given on the command line after the list file), plus `--query FILE`;
// its standard output goes to FILE.out and its error output to FILE.err.
//
// Usage: java -cp CLASSPATH TdbQueryBatch.java LIST ARG...
//   LIST: a file with one query file path per line.
//   ARG...: the tdb2.tdbquery arguments, e.g. --loc DB --set tdb:unionDefaultGraph=true --results=json

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class TdbQueryBatch {
    public static void main(String[] args) throws Exception {
        List<String> queries = Files.readAllLines(Path.of(args[0]));
        List<String> common = Arrays.asList(args).subList(1, args.length);
        PrintStream out = System.out, err = System.err;
        for (String query : queries) {
            if (query.isBlank()) continue;
            List<String> argv = new ArrayList<>(common);
            argv.add("--query");
            argv.add(query);
            int code;
            try (PrintStream qout = new PrintStream(new FileOutputStream(query + ".out"), true, "UTF-8");
                 PrintStream qerr = new PrintStream(new FileOutputStream(query + ".err"), true, "UTF-8")) {
                System.setOut(qout);
                System.setErr(qerr);
                try {
                    // tdbquery ends the JVM on a syntax error: parse first, report, go on.
                    org.apache.jena.query.QueryFactory.read(query);
                    code = new tdb2.tdbquery(argv.toArray(new String[0])).mainRun(false, false);
                } catch (org.apache.jena.query.QueryParseException e) {
                    qerr.println(e.getMessage());
                    code = 2;
                } catch (RuntimeException e) {
                    e.printStackTrace(qerr);
                    code = 1;
                } finally {
                    System.setOut(out);
                    System.setErr(err);
                }
            }
            out.println(code + "\t" + query);
        }
    }
}
