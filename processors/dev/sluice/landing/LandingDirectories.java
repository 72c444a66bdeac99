package dev.sluice.landing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where a landed file goes after it was handled: done/ (or deleted, if so configured) once loaded
 * and archived, error/ with a reason file beside it when it cannot be processed.
 */
@ApplicationScoped
@Named("landingDirectories")
public class LandingDirectories {

    @ConfigProperty(name = "sluice.landing.done")
    Path done;
    @ConfigProperty(name = "sluice.landing.error")
    Path error;
    @ConfigProperty(name = "sluice.landing.after-load", defaultValue = "move")
    String afterLoad;

    /** Moves a handled file to done/ (replacing an older file of that name, whose content is archived) or deletes it. */
    public void finish(String filePath) throws IOException {
        Path file = Path.of(filePath);
        if ("delete".equals(afterLoad)) {
            Files.deleteIfExists(file);
            return;
        }
        Files.createDirectories(done);
        try {
            Files.move(file, done.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.NoSuchFileException gone) {
            // another replica sharing the inbox finished it first
        }
    }

    /**
     * A .zip of which some members loaded and others were refused goes to error/ all the same: the rows
     * of the loaded members are committed and its original is archived, but the refused members need
     * somebody, and error/ (with the reason beside it) is where refused files are looked for. Nothing
     * is lost: after fixing what was wrong (a declaration for the member's name), POST
     * /landing/reloads/{ledgerId} loads the whole archive again from the bucket.
     */
    public Path partlyLoaded(String filePath, String refusedMembers, Long ledgerId, String archiveKey) throws IOException {
        return reject(filePath, "some members of the archive were refused; the others are loaded (their rows are committed)\n"
                + "refused members:\n  " + refusedMembers.replace("\n", "\n  ") + "\n"
                + "the original is archived at " + archiveKey + " (ledger " + ledgerId + "); once the refused members can be loaded"
                + " (a dataset declared for their names), POST /landing/reloads/" + ledgerId + " loads the archive again from there");
    }

    /** Moves a file that cannot be processed to error/ and writes why beside it; returns where it went. */
    public Path reject(String filePath, String reason) throws IOException {
        Path file = Path.of(filePath);
        Files.createDirectories(error);
        Path target = error.resolve(file.getFileName());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // keep every rejected file: a name seen before gets a time suffix
            target = error.resolve(file.getFileName() + "." + Instant.now().toEpochMilli());
        }
        Files.move(file, target); // a link or a pipe moves as what it is: nothing is opened
        // never written through a link someone left in error/
        Files.writeString(error.resolve(target.getFileName() + ".reason.txt"),
                "file: " + file.getFileName() + "\nrejected at: " + Instant.now() + "\nreason: " + reason + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        return target;
    }
}
