package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XlsxRecordReaderTest {

    @TempDir
    Path dir;

    private static DatasetDefinition workbooks() throws Exception {
        try (InputStream in = XlsxRecordReaderTest.class.getResourceAsStream("/datasets.yaml")) {
            return DatasetDeclarations.parse(in, "datasets.yaml").stream()
                    .filter(d -> d.name().equals("rain-gauge-workbooks")).findFirst().orElseThrow();
        }
    }

    /** A district-style workbook: one sheet per gauge, a header row, date cells and numbers. */
    private Path workbook(String name, String secondHeader) throws Exception {
        Path file = dir.resolve(name);
        try (XSSFWorkbook book = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            CellStyle date = book.createCellStyle();
            date.setDataFormat(book.getCreationHelper().createDataFormat().getFormat("m/d/yy h:mm"));
            for (String gauge : List.of("1000", "4500")) {
                Sheet sheet = book.createSheet(gauge);
                Row header = sheet.createRow(0);
                header.createCell(0).setCellValue("Date/Time");
                header.createCell(1).setCellValue(secondHeader);
                for (int i = 0; i < 3; i++) {
                    Row row = sheet.createRow(i + 1);
                    row.createCell(0).setCellValue(LocalDateTime.of(2024, 1, 1, 0, 15 * i));
                    row.getCell(0).setCellStyle(date);
                    if (gauge.equals("4500") && i == 1) {
                        row.createCell(1).setCellValue("n/a");
                    } else {
                        row.createCell(1).setCellValue(0.04 * (i + 1));
                    }
                }
            }
            book.write(out);
        }
        return file;
    }

    private static List<String> rows(Path file, DatasetDefinition dataset, List<String> errors) throws Exception {
        RowConverter converter = new RowConverter(dataset);
        List<String> rows = new ArrayList<>();
        try (XlsxRecordReader reader = new XlsxRecordReader(file.toFile(), dataset)) {
            RawRecord record;
            while ((record = reader.next()) != null) {
                BinaryCopyBuffer out = new BinaryCopyBuffer(64);
                String error = converter.encode(record, out, null, false);
                if (error == null) {
                    rows.addAll(BinaryCopyRows.read(out, dataset.columns().stream().map(c -> c.type()).toList()));
                } else {
                    errors.add(record.raw() + " → " + error);
                }
            }
        }
        return rows;
    }

    @Test
    void everySheetIsAGaugeAndItsRowsBecomeReadings() throws Exception {
        List<String> errors = new ArrayList<>();
        List<String> rows = rows(workbook("rain-2024.xlsx", "Rainfall (in)"), workbooks(), errors);
        assertEquals(5, rows.size(), rows.toString());
        // a date cell is a local time at the declared zone (Phoenix: UTC-7)
        assertEquals("1000 | 2024-01-01T07:00:00Z | 0.04 | null", rows.get(0));
        assertEquals("4500 | 2024-01-01T07:30:00Z | 0.12 | null", rows.get(4));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("sheet '4500' row 3: "), errors.get(0));
        assertTrue(errors.get(0).endsWith("column rainfall_in: 'n/a' is not a number"), errors.get(0));
    }

    @Test
    void aTruncatedWorkbookIsRejectedWithAClearReason() throws Exception {
        Path whole = workbook("rain-whole.xlsx", "Rainfall (in)");
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("rain-cut.xlsx"), Arrays.copyOf(bytes, bytes.length / 2));
        RejectedFileException e = assertThrows(RejectedFileException.class, () -> rows(truncated, workbooks(), new ArrayList<>()));
        assertTrue(e.getMessage().startsWith("not a readable XLSX workbook"), e.getMessage());
    }

    @Test
    void aSheetWithTheWrongLayoutIsRejectedNamingTheSheet() throws Exception {
        RejectedFileException e = assertThrows(RejectedFileException.class,
                () -> rows(workbook("rain-layout.xlsx", "Precip"), workbooks(), new ArrayList<>()));
        assertEquals("sheet '1000' row 1: header lacks required column(s) [Rainfall (in)]", e.getMessage());
    }
}
