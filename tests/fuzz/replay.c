/* SPDX-License-Identifier: Apache-2.0 */
/* Runs a fuzz target over files and directories of inputs without libFuzzer, so that every build (gcc,
 * valgrind) replays the seed corpora and the regression inputs of past crashes. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int run(const char *path, int *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file %s\n", path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **list;
        int n = scandir(path, &list, NULL, alphasort), bad = 0;
        if (n < 0)
            return 1;
        for (int i = 0; i < n; i++) {
            if (list[i]->d_name[0] != '.') {
                char child[4096];
                snprintf(child, sizeof(child), "%s/%s", path, list[i]->d_name);
                bad |= run(child, count);
            }
            free(list[i]);
        }
        free(list);
        return bad;
    }
    (*count)++;
    return run_file(path);
}

int main(int argc, char **argv)
{
    int bad = 0, count = 0;
    for (int i = 1; i < argc; i++)
        bad |= run(argv[i], &count);
    printf("replayed %d inputs\n", count);
    return bad || count == 0;
}
