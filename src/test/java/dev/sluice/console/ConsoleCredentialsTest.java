package dev.sluice.console;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConsoleCredentialsTest {

    private static final List<String> PROPERTIES = List.of(ConsoleCredentials.USER, ConsoleCredentials.PASSWORD,
            ConsoleCredentials.READER_USER, ConsoleCredentials.READER_PASSWORD);

    @AfterEach
    void forget() {
        // the generated values are system properties: none may reach another test
        PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    void bothPasswordsAreGeneratedOnceIntoOwnerOnlyFiles(@TempDir Path data) throws Exception {
        Path console = ConsoleCredentials.ensure(Map.of(), data);
        assertEquals(data.resolve("console-credentials"), console);
        Path reader = data.resolve("reader-credentials");
        for (Path file : List.of(console, reader)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        assertEquals("admin", System.getProperty(ConsoleCredentials.USER));
        assertEquals("reader", System.getProperty(ConsoleCredentials.READER_USER));
        String consolePassword = System.getProperty(ConsoleCredentials.PASSWORD);
        String readerPassword = System.getProperty(ConsoleCredentials.READER_PASSWORD);
        assertEquals(36, consolePassword.length());
        assertFalse(consolePassword.equals(readerPassword));
        assertEquals(List.of("reader", readerPassword), Files.readAllLines(reader));
        // a restart keeps them
        forget();
        ConsoleCredentials.ensure(Map.of(), data);
        assertEquals(consolePassword, System.getProperty(ConsoleCredentials.PASSWORD));
        assertEquals(readerPassword, System.getProperty(ConsoleCredentials.READER_PASSWORD));
    }

    @Test
    void passwordsFromTheEnvironmentAreNeitherGeneratedNorWritten(@TempDir Path data) {
        assertNull(ConsoleCredentials.ensure(Map.of("SLUICE_CONSOLE_PASSWORD", "from-a-secret", "SLUICE_READER_PASSWORD", "another"), data));
        assertFalse(Files.exists(data.resolve("console-credentials")));
        assertFalse(Files.exists(data.resolve("reader-credentials")));
        assertNull(System.getProperty(ConsoleCredentials.PASSWORD));
    }

    @Test
    void withoutAUsableDataDirectoryTheReaderIsLeftOutButTheConsoleIsNot(@TempDir Path base) throws Exception {
        // (a file where the directory should be: what a read-only file system does, also to root)
        Path data = Files.createFile(base.resolve("not-a-directory"));
        assertNull(ConsoleCredentials.ensure(Map.of("SLUICE_CONSOLE_PASSWORD", "from-a-secret"), data));
        assertNull(System.getProperty(ConsoleCredentials.READER_PASSWORD));
        assertThrows(java.io.UncheckedIOException.class, () -> ConsoleCredentials.ensure(Map.of(), data));
    }
}
